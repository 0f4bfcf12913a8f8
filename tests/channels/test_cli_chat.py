"""``c360 ask`` and ``c360 chat`` through typer's CliRunner, on the test database with the offline model."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import channels.cli.chat  # noqa: F401  (registers the commands)
from channels.cli import app as cli
from domain.models import Interaction
from domain.settings import get_settings
from tests.channels.http_fixtures import build_world

runner = CliRunner()


@pytest.fixture
def world(db_url, tmp_path, sessions, clock, monkeypatch):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C360_NOW", "2026-11-20T10:30:00+06:00")
    monkeypatch.setenv("C360_LLM_BACKEND", "offline")
    monkeypatch.delenv("C360_CLI_USER", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that table cells do not wrap names
    get_settings.cache_clear()
    ids, _ = build_world(sessions, clock)
    yield ids
    get_settings.cache_clear()


def logged(sessions, customer_id: int) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)
                              .where(Interaction.customer_id == customer_id))


def test_ask_json_prints_the_turn_in_the_api_shape(world):
    result = runner.invoke(cli, ["ask", "who should I call today?", "--as", "Rina Akter", "--json"])
    assert result.exit_code == 0, result.output
    turn = json.loads(result.stdout)
    assert set(turn) == {"thread_id", "reply", "cards", "pending", "tool_calls"}
    assert turn["thread_id"].startswith(f"cli-{world['rina']}-")
    assert turn["cards"][0]["tool"] == "call_priority_list"
    assert turn["cards"][0]["entries"][0]["name"] == "Rahim Uddin"


def test_ask_renders_the_call_list_as_a_table(world):
    result = runner.invoke(cli, ["ask", "who should I call today?", "--as", "rina akter"])
    assert result.exit_code == 0, result.output
    assert "Call list for 2026-11-20" in result.stdout
    assert "┃ #" in result.stdout and "Rahim Uddin" in result.stdout


def test_ask_writes_only_with_yes(world, sessions):
    before = logged(sessions, world["rahim"])
    declined = runner.invoke(cli, ["ask", "log a call with Rahim Uddin, no answer", "--as", "Rina Akter"])
    assert declined.exit_code == 0, declined.output
    assert "waiting for your approval" in declined.stdout
    assert "--yes" in declined.stderr
    assert logged(sessions, world["rahim"]) == before

    approved = runner.invoke(cli, ["ask", "log a call with Rahim Uddin, no answer", "--as", "Rina Akter",
                                   "--yes", "--json"])
    assert approved.exit_code == 0, approved.output
    turn = json.loads(approved.stdout)
    assert turn["pending"] is None
    assert turn["steps"][0]["pending"]["tool"] == "log_interaction"
    assert turn["cards"][0]["interaction"]["outcome"] == "no_answer"
    assert logged(sessions, world["rahim"]) == before + 1


def test_ask_without_as_needs_a_clear_user(world, sessions):
    result = runner.invoke(cli, ["ask", "who should I call today?"])
    assert result.exit_code == 1
    assert "--as" in result.stderr  # two agents, no admin
    unknown = runner.invoke(cli, ["ask", "hi", "--as", "Nobody"])
    assert unknown.exit_code == 1 and "Rina Akter" in unknown.stderr


def test_chat_conversation_with_an_approval_at_the_prompt(world, sessions):
    before = logged(sessions, world["rahim"])
    script = "who should I call today?\nlog a call with Rahim Uddin, no answer\nmaybe\ny\nquit\n"
    result = runner.invoke(cli, ["chat", "--as", "Rina Akter"], input=script)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "you are Rina Akter (agent)" in out
    assert "Rahim Uddin" in out and "Call list for 2026-11-20" in out
    assert "answer y, n or e" in out  # "maybe" is not an answer
    assert "Logged outbound call with Rahim Uddin" in out
    assert logged(sessions, world["rahim"]) == before + 1


def test_chat_cancel_and_end_of_input(world, sessions):
    before = logged(sessions, world["rahim"])
    result = runner.invoke(cli, ["chat", "--as", "Rina Akter"], input="log a call with Rahim Uddin, no answer\nn\n")
    assert result.exit_code == 0, result.output
    assert logged(sessions, world["rahim"]) == before
