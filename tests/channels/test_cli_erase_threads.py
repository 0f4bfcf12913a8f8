"""``c360 customer erase`` also deletes the assistant conversations that mention the customer."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

import channels.cli.privacy  # noqa: F401  (registers the commands on the app)
from agent.runner import Agent
from channels.cli import app
from domain.clock import Clock
from domain.db import transaction
from domain.enums import Role
from domain.models import AuditLog
from domain.privacy import THREADS_ACTION
from domain.settings import get_settings
from tests.factories import DHAKA, make_customer, make_user
from tools.context import Actor

runner = CliRunner()
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


@pytest.fixture
def cli_env(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_NOW", NOW.isoformat())
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("C360_LLM_BACKEND", "offline")
    get_settings.cache_clear()
    if db_url.startswith("postgresql"):  # checkpoint tables outlive a test on the session's database
        engine = create_engine(db_url, poolclass=NullPool)
        with engine.begin() as conn:
            for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
                if conn.execute(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}).scalar():
                    conn.exec_driver_sql(f"DELETE FROM {table}")
        engine.dispose()
    yield db_url
    get_settings.cache_clear()


def test_erase_deletes_the_customers_conversations_and_audits_it(cli_env, sessions):
    with transaction(sessions) as s:
        make_user(s, "Ayesha Admin", role="admin")
        rina = make_user(s, "Rina Akter")
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678", assigned_to=rina)
        make_customer(s, "Karim Ahmed", phone="01812345678", assigned_to=rina)
        ids = {"rina": rina.id, "rahim": rahim.id}
    settings = get_settings()
    agent = Agent(settings, sessions, Clock.from_settings(settings))
    actor = Actor(id=ids["rina"], name="Rina Akter", role=Role.agent)
    try:
        agent.run_turn("cli-a", actor, "tell me about Rahim Uddin")
        agent.run_turn("cli-a2", actor, "remind me to call 01712-345678")
        agent.run_turn("cli-b", actor, "tell me about Karim Ahmed")
        kept = agent.history("cli-b")

        result = runner.invoke(app, ["customer", "erase", str(ids["rahim"]), "--reason", "asked",
                                     "--as", "Ayesha Admin"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().endswith("; 2 conversation threads deleted")
        assert agent.history("cli-a") == [] and agent.history("cli-a2") == []
        assert agent.history("cli-b") == kept
    finally:
        agent.close()
    with sessions() as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == THREADS_ACTION))
        erase = s.scalar(select(AuditLog).where(AuditLog.action == "customer_erase"))
    assert row.after == {"threads_deleted": 2} and row.customer_id == ids["rahim"]
    assert row.request_id == erase.request_id and row.user_id == erase.user_id

    again = runner.invoke(app, ["customer", "erase", str(ids["rahim"]), "--reason", "again", "--as", "Ayesha Admin"])
    assert again.exit_code == 0 and again.stdout.strip().endswith("nothing changed")


def test_erase_without_any_conversation_creates_no_checkpoint_store(cli_env, sessions, tmp_path):
    with transaction(sessions) as s:
        make_user(s, "Ayesha Admin", role="admin")
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678")
    result = runner.invoke(app, ["customer", "erase", str(rahim.id), "--reason", "asked", "--as", "Ayesha Admin"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("; 0 conversation threads deleted")
    if not cli_env.startswith("postgresql"):
        assert not (tmp_path / "checkpoints.db").exists()
