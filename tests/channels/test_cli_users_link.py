"""`c360 users link` / `c360 users update`: an existing user gets a Slack id, a role, an email; bad or
taken values are refused naming the field; every change is audited once."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import channels.cli.users  # noqa: F401  (registers the commands)
from channels.cli import app
from domain.models import AuditLog, User
from domain.settings import get_settings
from tests.channels.fake_slack import fake_slack  # noqa: F401  (fixture)
from tests.factories import make_user


@pytest.fixture
def cli(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, ["users", *args])
    get_settings.cache_clear()


def test_link_and_update_an_existing_user(sessions, cli):
    with sessions.begin() as s:
        make_user(s, "Rina Akter")
        make_user(s, "Karim Hasan", slack_user_id="UKARIM01")
    linked = cli("link", "rina akter", "--slack-id", "u0rina42")
    assert linked.exit_code == 0, linked.output
    assert linked.output.strip() == "Rina Akter: agent, Slack U0RINA42, email none, active"
    again = cli("link", "Rina Akter", "--slack-id", "U0RINA42")
    assert again.output.strip().endswith("(unchanged)")
    promoted = cli("update", "Rina Akter", "--role", "manager", "--email", "Rina@Example.com")
    assert promoted.output.strip() == "Rina Akter: manager, Slack U0RINA42, email rina@example.com, active"
    assert cli("update", "Rina Akter", "--inactive").output.strip().endswith("inactive")
    with sessions() as s:
        rina = s.scalar(select(User).where(User.name == "Rina Akter"))
        assert (rina.slack_user_id, rina.role, rina.email, rina.is_active) == \
            ("U0RINA42", "manager", "rina@example.com", False)
        audits = s.scalars(select(AuditLog).where(AuditLog.action == "users.update")).all()
    assert len(audits) == 3  # the unchanged link wrote nothing
    assert audits[0].before["slack_user_id"] is None and audits[0].after["slack_user_id"] == "U0RINA42"


def test_refusals_name_the_field(sessions, cli):
    with sessions.begin() as s:
        make_user(s, "Rina Akter")
        make_user(s, "Karim Hasan", slack_user_id="UKARIM01")
    taken = cli("link", "Rina Akter", "--slack-id", "UKARIM01")
    assert taken.exit_code == 1 and "already belongs to Karim Hasan" in taken.output
    bad = cli("link", "Rina Akter", "--slack-id", "rina")
    assert bad.exit_code == 1 and "not a member id" in bad.output
    unknown = cli("update", "Nobody", "--role", "agent")
    assert unknown.exit_code == 1 and "no user named 'Nobody'" in unknown.output
    mail = cli("update", "Rina Akter", "--email", "rina-at-home")
    assert mail.exit_code == 1 and "not an email address" in mail.output
    unlinked = cli("update", "Karim Hasan", "--slack-id", "none")
    assert unlinked.output.strip() == "Karim Hasan: agent, Slack not linked, email none, active"


def test_sync_slack_links_by_email_and_reports_who_did_not_match(sessions, cli, monkeypatch, fake_slack):
    monkeypatch.setenv("C360_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("C360_SLACK_API_URL", fake_slack.api_url)
    get_settings.cache_clear()
    with sessions.begin() as s:
        make_user(s, "Rina Akter", email="rina@deshibazar.com")
        make_user(s, "Karim Hasan", slack_user_id="UKARIM01", email="karim@deshibazar.com")
        make_user(s, "Sadia Islam", email="sadia@deshibazar.com")  # not in the workspace
        make_user(s, "Farhana Chowdhury")  # no email
        make_user(s, "Jamal Mia", email="jamal@deshibazar.com")  # his address is Karim's member's
    fake_slack.members = [
        {"id": "USLACKBOT", "name": "slackbot", "profile": {}},
        {"id": "UBOT1", "is_bot": True, "profile": {"email": "sadia@deshibazar.com"}},
        {"id": "U0RINA42", "profile": {"email": "Rina@DeshiBazar.com", "real_name": "Rina"}},
        {"id": "UKARIM01", "profile": {"email": "jamal@deshibazar.com"}},
        {"id": "UGONE", "deleted": True, "profile": {"email": "sadia@deshibazar.com"}},
    ] + [{"id": f"UOTHER{n:03d}", "profile": {"email": f"other{n}@example.com"}} for n in range(250)]
    dry = cli("sync-slack", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[0] == "255 Slack members; would link 1, already linked 1, not matched 3"
    with sessions() as s:
        assert s.scalar(select(User.slack_user_id).where(User.name == "Rina Akter")) is None
    done = cli("sync-slack").output
    assert "linked: Rina Akter -> U0RINA42" in done
    assert "no Slack member with their email: Sadia Islam <sadia@deshibazar.com>" in done
    assert "no email in c360 (c360 users update NAME --email ...): Farhana Chowdhury" in done
    assert "Slack id already taken: Jamal Mia: UKARIM01 is linked to Karim Hasan" in done
    with sessions() as s:
        assert s.scalar(select(User.slack_user_id).where(User.name == "Rina Akter")) == "U0RINA42"
    assert len(fake_slack.of("users.list")) == 4  # two pages of at most 200, for each run
