"""``c360 customer export/erase``, ``c360 consent export``, ``c360 retention apply`` and ``c360 backup``."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import channels.cli.privacy  # noqa: F401  (registers the commands on the app)
from channels.cli import app
from domain.customers import set_consent
from domain.db import transaction
from domain.models import AuditLog, Customer, Note
from domain.settings import get_settings
from tests.factories import DHAKA, make_customer, make_family, make_user

runner = CliRunner()
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


@pytest.fixture
def cli_env(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_NOW", NOW.isoformat())
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("C360_RETENTION_DAYS_NOTES", raising=False)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


@pytest.fixture
def people(cli_env, sessions):
    with transaction(sessions) as s:
        make_user(s, "Ayesha Admin", role="admin")
        agent = make_user(s, "Rina Akter")
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678", email="rahim@example.com")
        make_family(s, rahim, "Sarah Uddin", "spouse", phone="+8801812345678")
        set_consent(
            s,
            rahim.id,
            "sms",
            False,
            source="customer_request",
            reason="too many texts",
            at=NOW,
            user_id=agent.id,
        )
        s.add(
            Note(
                customer_id=rahim.id, body="old private note", created_at=NOW - timedelta(days=400)
            )
        )
        s.add(Note(customer_id=rahim.id, body="fresh note", created_at=NOW - timedelta(days=2)))
        return rahim.id


def test_export_to_stdout_and_to_a_file(people, tmp_path):
    result = runner.invoke(app, ["customer", "export", str(people)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["customer"]["name"] == "Rahim Uddin" and doc["family"][0]["name"] == "Sarah Uddin"
    out = tmp_path / "rahim.json"
    result = runner.invoke(app, ["customer", "export", str(people), "--out", str(out)])
    assert result.exit_code == 0 and f"export written to {out}" in result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == doc


def test_export_of_an_unknown_customer_fails_clearly(people):
    result = runner.invoke(app, ["customer", "export", "999"])
    assert result.exit_code == 1 and "error: no customer with id 999" in result.stderr


def test_erase_as_an_admin_then_again(people, sessions):
    result = runner.invoke(
        app,
        [
            "customer",
            "erase",
            str(people),
            "--reason",
            "customer request #55",
            "--as",
            "Ayesha Admin",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"erased customer #{people} (rows changed: ")
    with sessions() as s:
        assert s.get(Customer, people).name == f"Erased customer #{people}"
        row = s.scalar(select(AuditLog).where(AuditLog.action == "customer_erase"))
        assert (
            row.arguments == {"reason": "customer request #55"} and row.request_id
        )  # the command's id
    again = runner.invoke(
        app, ["customer", "erase", str(people), "--reason", "again", "--as", "Ayesha Admin"]
    )
    assert again.exit_code == 0
    assert (
        again.stdout.strip()
        == f"customer #{people} was already erased on 2026-11-20 04:30 UTC; nothing changed"
    )


@pytest.mark.parametrize(
    ("acting", "message"),
    [
        ("Rina Akter", "only an admin may erase a customer"),
        ("Nobody", "there is no c360 user named 'Nobody'"),
    ],
)
def test_erase_is_refused_for_non_admins_and_unknown_users(people, sessions, acting, message):
    result = runner.invoke(
        app, ["customer", "erase", str(people), "--reason", "test", "--as", acting]
    )
    assert result.exit_code == 1 and message in result.stderr
    with sessions() as s:
        assert s.get(Customer, people).status == "active"


def test_consent_export_csv(people, tmp_path):
    result = runner.invoke(app, ["consent", "export"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [
        (r["customer_name"], r["channel"], r["opted_in"], r["reason"], r["changed_by"])
        for r in rows
    ] == [("Rahim Uddin", "sms", "false", "too many texts", "Rina Akter")]
    out = tmp_path / "consent.csv"
    result = runner.invoke(app, ["consent", "export", "--customer", str(people), "--out", str(out)])
    assert result.exit_code == 0 and "1 consent changes written" in result.stderr
    assert (
        out.read_text(encoding="utf-8")
        .splitlines()[0]
        .startswith("customer_id,customer_name,channel")
    )
    missing = runner.invoke(app, ["consent", "export", "--customer", "4242"])
    assert missing.exit_code == 1 and "no customer with id 4242" in missing.stderr


def test_retention_needs_the_setting_then_redacts_once(people, sessions, monkeypatch):
    result = runner.invoke(app, ["retention", "apply"])
    assert result.exit_code == 1 and "C360_RETENTION_DAYS_NOTES" in result.stderr
    monkeypatch.setenv("C360_RETENTION_DAYS_NOTES", "365")
    get_settings.cache_clear()
    preview = runner.invoke(app, ["retention", "apply", "--dry-run"])
    assert (
        preview.exit_code == 0
        and "would redact 1 rows" in preview.stdout
        and "notes: 1" in preview.stdout
    )
    first = runner.invoke(app, ["retention", "apply"])
    assert first.exit_code == 0 and "redacted 1 rows" in first.stdout
    second = runner.invoke(app, ["retention", "apply"])
    assert second.exit_code == 0 and "redacted 0 rows" in second.stdout
    with sessions() as s:
        assert sorted(s.scalars(select(Note.body))) == ["[redacted]", "fresh note"]


def test_backup_makes_a_checked_copy_or_explains_pg_dump(people, tmp_path, cli_env):
    target = tmp_path / "copy.db"
    result = runner.invoke(app, ["backup", str(target)])
    if cli_env.startswith("postgresql"):
        assert result.exit_code == 1 and "pg_dump" in result.stderr and not target.exists()
        return
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.stdout and target.is_file()
    again = runner.invoke(app, ["backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.stderr
