"""The daily digest: DMs through the fake Web API, once a day per user, on working days only."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.slack.digest import next_digest_at, post_digest
from domain.settings import Settings
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    KARIM_SLACK,
    RINA_SLACK,
    anyio_backend,
    client,
    fake_slack,
    make_rig,
    rig,
)

DHAKA = ZoneInfo("Asia/Dhaka")
BANGLADESH = Settings(_env_file=None).working_weekdays  # the default: Sunday-Thursday


@pytest.mark.anyio
async def test_digest_dms_each_user_their_list_once_a_day(rig, client):
    report = await post_digest(rig.bridge)
    assert sorted(report.sent) == ["Karim Hasan", "Rina Akter"] and not report.failed
    opened = {c.body["users"] for c in rig.fake.of("conversations.open")}
    assert opened == {RINA_SLACK, KARIM_SLACK}
    posts = {c.body["channel"]: json.dumps(c.body["blocks"]) for c in rig.fake.of("chat.postMessage")}
    assert "Rahim Uddin" in posts["D" + RINA_SLACK] and "Rahim Uddin" not in posts["D" + KARIM_SLACK]
    assert "Good morning, Rina" in posts["D" + RINA_SLACK]

    again = await post_digest(rig.bridge)  # cron and the server both firing: nobody gets two
    assert again.sent == [] and sorted(again.already) == ["Karim Hasan", "Rina Akter"]
    assert len(rig.fake.of("chat.postMessage")) == 2
    forced = await post_digest(rig.bridge, force=True)
    assert len(forced.sent) == 2


@pytest.mark.anyio
async def test_a_failed_dm_is_reported_and_can_be_sent_later(rig, client):
    rig.fake.fail["chat.postMessage"] = "channel_not_found"
    report = await post_digest(rig.bridge)
    assert report.sent == [] and len(report.failed) == 2 and "channel_not_found" in report.failed[0]
    del rig.fake.fail["chat.postMessage"]
    assert len((await post_digest(rig.bridge)).sent) == 2


@pytest.mark.anyio
async def test_a_dm_lost_on_the_network_leaves_nobody_marked_served(rig, client):
    rig.fake.drop.add("chat.postMessage")  # the connection drops: no answer, no Slack error
    report = await post_digest(rig.bridge)
    assert report.sent == [] and len(report.failed) == 2 and "Slack unreachable" in report.failed[0]
    rig.fake.drop.clear()
    retried = await post_digest(rig.bridge)  # the next run (cron's retry) sends them, no --force
    assert sorted(retried.sent) == ["Karim Hasan", "Rina Akter"] and not retried.already


def test_next_digest_skips_the_bangladeshi_weekend():
    thursday_after = datetime(2026, 11, 19, 9, 30, tzinfo=DHAKA)  # Thursday, after 09:00
    assert next_digest_at(thursday_after, "09:00", BANGLADESH) == datetime(2026, 11, 22, 9, 0, tzinfo=DHAKA)
    sunday_before = datetime(2026, 11, 22, 8, 59, tzinfo=DHAKA)
    assert next_digest_at(sunday_before, "09:00", BANGLADESH) == datetime(2026, 11, 22, 9, 0, tzinfo=DHAKA)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
       st.sampled_from(["00:00", "09:00", "17:45", "23:59"]),
       st.frozensets(st.integers(0, 6), min_size=1))
def test_next_digest_is_the_first_working_slot_after_now(naive, at, days):
    now = naive.replace(tzinfo=DHAKA)
    due = next_digest_at(now, at, days)
    assert due > now and due.weekday() in days and due.strftime("%H:%M") == at
    assert due - now <= timedelta(days=7)
    for back in range(1, 8):  # no earlier working-day slot was skipped
        earlier = due - timedelta(days=back)
        assert earlier <= now or earlier.weekday() not in days


def test_digest_settings_are_checked_at_start():
    with pytest.raises(ValueError, match="HH:MM"):
        Settings(_env_file=None, digest_at="9am")
    with pytest.raises(ValueError, match="working_days"):
        Settings(_env_file=None, working_days="sun,funday")
    assert Settings(_env_file=None, working_days="Mon, Tuesday").working_weekdays == {0, 1}


def test_c360_digest_command_sends_the_dms(db_url, tmp_path, sessions, clock, fake_slack, monkeypatch):
    """``c360 digest`` as cron runs it: settings from the environment."""
    from typer.testing import CliRunner

    import importlib

    from channels.cli import COMMAND_MODULES, app
    from domain.settings import get_settings
    from tests.channels.fake_slack import build_slack_world

    for module in COMMAND_MODULES:  # all of them, as ``c360`` does: one command alone would be the app itself
        importlib.import_module(module)
    build_slack_world(sessions, clock)
    for name, value in {"C360_DATABASE_URL": db_url, "C360_DATA_DIR": str(tmp_path),
                        "C360_NOW": "2026-11-20T10:30:00+06:00", "C360_SLACK_BOT_TOKEN": "xoxb-test",
                        "C360_SLACK_API_URL": fake_slack.api_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["digest"])
        assert first.exit_code == 0, first.output
        assert "Digest for 2026-11-20: sent to 2 user(s)" in first.output
        assert {c.body["channel"] for c in fake_slack.of("chat.postMessage")} == {"DURINA", "DUKARIM"}
        assert "2 already had today's" in CliRunner().invoke(app, ["digest"]).output
        monkeypatch.setenv("C360_SLACK_BOT_TOKEN", "")
        get_settings.cache_clear()
        refused = CliRunner().invoke(app, ["digest"])
        assert refused.exit_code == 2 and "C360_SLACK_BOT_TOKEN is not set" in refused.output
    finally:
        get_settings.cache_clear()


@pytest.mark.anyio
async def test_the_scheduled_digest_goes_out_once_from_two_processes(make_rig, sessions, caplog):
    import asyncio
    import logging

    from sqlalchemy import select

    from channels.slack.digest import run_digest_schedule
    from domain.clock import Clock
    from domain.models import DailyRun

    # two server processes' Slack bridges, a second before Friday's digest time
    rigs = [make_rig(digest_at="10:31", working_days="fri", leader_poll_seconds=0.2) for _ in range(2)]
    for each in rigs:
        each.bridge.clock = Clock(tz=DHAKA, fixed=datetime(2026, 11, 20, 10, 30, 59, tzinfo=DHAKA))
    caplog.set_level(logging.INFO, logger="c360.slack.digest")
    schedules = [asyncio.ensure_future(run_digest_schedule(each.bridge)) for each in rigs]
    try:
        for _ in range(200):
            with sessions() as session:
                done = session.scalar(select(DailyRun).where(DailyRun.job == "digest"))
            if done is not None:
                break
            await asyncio.sleep(0.1)
        assert done is not None and done.day.isoformat() == "2026-11-20"
        await asyncio.sleep(1.5)  # both schedules wake again: today's is done, nobody sends it twice
    finally:
        for schedule in schedules:
            schedule.cancel()
        await asyncio.gather(*schedules, return_exceptions=True)
        for each in rigs:
            await each.bridge.drain(timeout=30)
            each.bridge.close()
    assert len(rigs[0].fake.of("chat.postMessage")) == 2  # Rina's and Karim's, once each
    sends = [r for r in caplog.records if r.getMessage().startswith("digest for 2026-11-20")]
    if rigs[0].bridge.sessions.kw["bind"].dialect.name == "postgresql":
        assert len(sends) == 1  # only the leader sent it; the other process never ran the digest
