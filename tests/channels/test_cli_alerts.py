"""`c360 alerts list|prefs|test|retry|worker` and `c360 refresh` recording alerts, against the
database and the local fake Slack Web API."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import channels.cli.admin  # noqa: F401  (registers the commands)
import channels.cli.alerts  # noqa: F401
from channels.cli import app
from domain.models import AlertDelivery, AlertEvent
from domain.settings import get_settings
from tests.channels.fake_slack import fake_slack  # noqa: F401  (fixture)
from tests.factories import make_customer, make_dropoff, make_order, make_user


@pytest.fixture
def cli_env(db_url, monkeypatch, tmp_path, fake_slack):
    def at(now: str, **env: str) -> None:
        monkeypatch.setenv("C360_DATABASE_URL", db_url)
        monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("C360_NOW", now)
        monkeypatch.setenv("C360_SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("C360_SLACK_API_URL", fake_slack.api_url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield at
    get_settings.cache_clear()


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def test_refresh_records_alerts_and_the_worker_sends_them(sessions, cli_env, fake_slack):
    with sessions.begin() as s:
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        rahim = make_customer(s, "Rahim Uddin", assigned_to=rina)
        make_order(s, rahim, at=date(2026, 11, 1), amount=4500)
    cli_env("2026-11-20T10:30:00+06:00", C360_ALERT_WORKER="false")
    assert run("refresh").exit_code == 0  # the baseline
    with sessions.begin() as s:
        make_dropoff(s, s.get(type(rahim), rahim.id), at=date(2026, 11, 20), stage="checkout_initiated",
                     cart_value=8000)
    cli_env("2026-11-20T15:00:00+06:00")
    assert run("refresh").exit_code == 0
    listed = run("alerts", "list", "--json")
    assert listed.exit_code == 0, listed.output
    [event] = json.loads(listed.output)
    assert event["kind"] == "cart_abandoned" and event["customer"] == "Rahim Uddin"
    assert event["deliveries"][0]["to"] == "Rina Akter" and event["deliveries"][0]["status"] == "pending"
    sent = run("alerts", "worker", "--once")
    assert sent.exit_code == 0 and sent.output.strip() == "1 sent", sent.output
    assert fake_slack.of("chat.postMessage")[0].body["channel"] == "DURINA"
    table = run("alerts", "list")
    assert "cart_abandoned" in table.output and "sent" in table.output


def test_prefs_show_change_and_refuse_bad_values(sessions, cli_env):
    with sessions.begin() as s:
        make_user(s, "Rina Akter", slack_user_id="URINA")
        make_user(s, "Karim Hasan")
    cli_env("2026-11-20T10:30:00+06:00")
    shown = run("alerts", "prefs", "Rina Akter")
    assert shown.output.strip() == "Rina Akter: kinds all; quiet hours off; daily cap 20"
    changed = run("alerts", "prefs", "rina akter", "--kinds", "vip,sla_breached", "--quiet-hours", "21:00-08:00",
                  "--daily-cap", "5")
    assert changed.exit_code == 0
    assert changed.output.strip() == ("Rina Akter: kinds vip,sla_breached; quiet hours 21:00-08:00; "
                                      "daily cap 5 (saved)")
    bad = run("alerts", "prefs", "Rina Akter", "--kinds", "birthdays")
    assert bad.exit_code == 1 and "unknown alert kind birthdays" in bad.output
    everyone = run("alerts", "prefs")
    assert "Karim Hasan" in everyone.output and "no DMs" in everyone.output


def test_a_test_alert_reaches_the_user_or_says_why_not(sessions, cli_env, fake_slack):
    with sessions.begin() as s:
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        make_customer(s, "Rahim Uddin", assigned_to=rina)
    cli_env("2026-11-20T10:30:00+06:00")
    sent = run("alerts", "test", "Rina Akter", "--kind", "vip")
    assert sent.exit_code == 0, sent.output
    assert "slack → Rina Akter: sent" in sent.output
    [card] = fake_slack.of("chat.postMessage")
    assert "this is a test" in card.body["text"] and card.body["blocks"][0]["type"] == "header"
    again = run("alerts", "test", "Rina Akter", "--kind", "vip")
    assert again.exit_code == 1 and "already has a vip alert today" in again.output
    run("alerts", "prefs", "Rina Akter", "--quiet-hours", "09:00-12:00")
    quiet = run("alerts", "test", "Rina Akter", "--kind", "low_csat")
    assert "pending until Fri 20 Nov 12:00" in quiet.output, quiet.output
    with sessions() as s:
        assert {e.source for e in s.scalars(select(AlertEvent))} == {"test"}


def test_retry_requeues_a_failed_delivery(sessions, cli_env, fake_slack):
    with sessions.begin() as s:
        make_user(s, "Rina Akter", slack_user_id="URINA")
        make_customer(s, "Rahim Uddin")
    cli_env("2026-11-20T10:30:00+06:00")
    fake_slack.fail["chat.postMessage"] = "channel_not_found"
    failed = run("alerts", "test", "Rina Akter")
    assert failed.exit_code == 1 and "failed (Slack said channel_not_found)" in failed.output
    del fake_slack.fail["chat.postMessage"]
    with sessions() as s:
        delivery_id = s.scalar(select(AlertDelivery.id))
    assert run("alerts", "list", "--status", "failed").output.count("failed") >= 1
    assert run("alerts", "retry", str(delivery_id)).output.strip() == f"delivery #{delivery_id}: queued again"
    assert run("alerts", "worker", "--once").output.strip() == "1 sent"
    log = run("alerts", "log", str(delivery_id)).output.splitlines()
    assert log[0] == f"delivery #{delivery_id} slack → Rina Akter: sent"
    assert "Slack said channel_not_found" in log[1] and log[2].endswith("s)") and ": ok [200]" in log[2]
    assert run("alerts", "log", "999").exit_code == 1
