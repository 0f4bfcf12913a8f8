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
