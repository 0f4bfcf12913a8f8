"""Saved segments over HTTP (GET /segments, members, POST/DELETE by managers) and the CLI (create, export)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import channels.cli.segments  # noqa: F401  (registers the commands)
from channels.cli import app
from domain.models import AuditLog, Customer, Segment
from domain.settings import get_settings
from domain.users import issue_token
from tests.factories import make_customer, make_order, make_user

NOW = datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc)


def manager_token(api, name="Mina Manager") -> dict[str, str]:
    with api.sessions.begin() as s:
        user = make_user(s, name, role="manager")
        return {"Authorization": f"Bearer {issue_token(s, user, now=NOW).token}"}


def test_a_manager_creates_lists_reads_and_deletes_a_segment(api):
    boss = manager_token(api)
    made = api.client.post("/segments", json={"name": "Dhaka buyers", "criteria": {"city": ["dhaka"],
                                                                                    "ltv_min": 5000}}, headers=boss)
    assert made.status_code == 201, made.text
    assert made.json()["members"] == 1 and made.json()["criteria"] == {"city": ["dhaka"], "ltv_min": 5000.0}
    listed = api.client.get("/segments", headers=api.auth()).json()
    assert [(s["name"], s["members"]) for s in listed["segments"]] == [("Dhaka buyers", 1)]
    members = api.client.get("/segments/dhaka BUYERS/members", headers=api.auth("karim")).json()
    assert [m["customer_id"] for m in members["members"]] == [api.ids["rahim"]]
    assert members["members"][0]["ltv"] == 9000.0
    assert api.client.delete("/segments/Dhaka buyers", headers=boss).status_code == 204
    assert api.client.get("/segments/Dhaka buyers/members", headers=api.auth()).status_code == 404
    with api.sessions() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "segments").order_by(AuditLog.id)))
    assert actions == ["segment_create", "segment_delete"]


def test_an_agent_may_read_but_not_create_or_delete(api):
    refused = api.client.post("/segments", json={"name": "Mine", "criteria": {"city": "Dhaka"}}, headers=api.auth())
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert api.client.delete("/segments/Mine", headers=api.auth()).status_code == 403
    with api.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == 0
    assert api.client.get("/segments", headers={}).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"name": "At Risk", "criteria": {"city": "Dhaka"}}, "name"),
    ({"name": "Hot", "criteria": {"temperature": ["boiling"]}}, "criteria.temperature"),
    ({"name": "Odd", "criteria": {"shoe_size": 9}}, "criteria.shoe_size"),
])
def test_bad_segments_are_refused_naming_the_field(api, body, field):
    answer = api.client.post("/segments", json=body, headers=manager_token(api))
    assert answer.status_code == 422 and field in answer.json()["detail"], answer.text


@pytest.fixture
def cli_env(db_url, monkeypatch):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_NOW", "2026-11-20T10:30:00+06:00")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def shop(sessions):
    with sessions.begin() as s:
        make_user(s, "Mina Manager", role="manager")
        make_user(s, "Rina Akter")
        karim = make_user(s, "Karim Hasan")
        evil = make_customer(s, "=HYPERLINK(\"http://x\")", city="Dhaka", phone="01712345678",
                             email="-evil@example.com", tags=["eid-shopper"])
        make_order(s, evil, at=date(2026, 11, 1), amount=800)
        make_customer(s, "@Salma", city="Dhaka", phone="01812345678", tags=["eid-shopper"], assigned_to=karim)
        make_customer(s, "Nila", city="Sylhet", tags=["eid-shopper"])
    return sessions


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_cli_create_then_export_csv_is_spreadsheet_safe_and_role_aware(cli_env, shop):
    made = run("segment", "create", "Dhaka Eid", "--criteria", '{"city": "Dhaka", "tag": ["eid-shopper"]}',
               "--as", "Mina Manager")
    assert made.exit_code == 0 and "2 members" in made.output, made.output
    out = run("segment", "export", "dhaka eid", "--csv", "--as", "Mina Manager")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'@Salma"]
    assert rows[0]["email"] == "'-evil@example.com" and rows[0]["phone"] == "+8801712345678"
    assert rows[1]["phone"] == "+8801812345678"
    with shop() as s:  # the names are stored as typed: only the file is neutralised
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.name.like("=%"))) == 1


def test_cli_export_leaves_out_contact_details_the_agent_may_not_see(cli_env, shop, monkeypatch):
    monkeypatch.setenv("C360_AGENTS_SEE_ALL_CUSTOMERS", "false")
    get_settings.cache_clear()
    assert run("segment", "create", "Dhaka Eid", "--criteria", '{"city": "Dhaka"}', "--as", "Mina Manager").exit_code == 0
    out = run("segment", "export", "Dhaka Eid", "--csv", "--as", "Rina Akter")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["'@Salma"]["phone"] == "" and rows["'@Salma"]["email"] == ""  # Karim's customer
    assert rows["'=HYPERLINK(\"http://x\")"]["phone"] == "+8801712345678"  # unassigned: Rina may act


def test_cli_agents_cannot_create_and_bad_criteria_say_what_to_fix(cli_env, shop):
    refused = run("segment", "create", "Mine", "--criteria", '{"city": "Dhaka"}', "--as", "Rina Akter")
    assert refused.exit_code == 1 and "only a manager" in refused.output
    bad = run("segment", "create", "Mine", "--criteria", '{"city": ', "--as", "Mina Manager")
    assert bad.exit_code == 1 and "--criteria is not JSON" in bad.output
    bad = run("segment", "create", "Mine", "--criteria", '{"ltv_min": -5}', "--as", "Mina Manager")
    assert bad.exit_code == 1 and "criteria.ltv_min" in bad.output
    missing = run("segment", "export", "Nope", "--csv", "--as", "Rina Akter")
    assert missing.exit_code == 1 and "no saved segment named 'Nope'" in missing.output


def test_the_daily_refresh_command_moves_members_as_days_pass(cli_env, shop, monkeypatch):
    import channels.cli.admin  # noqa: F401  (registers `refresh`)
    from domain import stats

    with shop.begin() as s:  # the factories skip the aggregates: compute them once
        stats.refresh_stats(s)
    made = run("segment", "create", "Bought this month", "--criteria", '{"last_order_days_max": 30}',
               "--as", "Mina Manager")
    assert made.exit_code == 0 and "1 member " in made.output, made.output  # the order of 2026-11-01
    monkeypatch.setenv("C360_NOW", "2026-12-15T10:30:00+06:00")
    get_settings.cache_clear()
    assert run("refresh").exit_code == 0
    listed = run("segment", "list", "--as", "Mina Manager")
    assert "Bought this month: 0 members" in listed.output, listed.output
