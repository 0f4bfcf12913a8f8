"""Break 9: ``c360 retention apply`` redacted old notes in the tables, but the stored conversations
that had shown them kept the same text (and would send it to a model on the next turn)."""
from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

import channels.cli.privacy  # noqa: F401  (registers the commands on the app)
from agent.runner import Agent
from channels.cli import app
from domain.clock import Clock
from domain.db import transaction
from domain.enums import Role
from domain.settings import get_settings
from tests.factories import make_customer, make_interaction, make_user
from tools.context import Actor

runner = CliRunner()
OLD_NOTE = "prefers the saffron silk saree in size XL"


def stored_text(agent: Agent, thread: str) -> str:
    return repr(agent.history(thread)) + repr(agent.graph.get_state(agent._config(thread)).values)


def test_retention_removes_old_text_from_conversations(cli_env, sessions, monkeypatch):
    with transaction(sessions) as s:
        rina = make_user(s, "Rina Akter")
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678", assigned_to=rina)
        make_customer(s, "Karim Ahmed", phone="01812345678", assigned_to=rina)
        make_interaction(s, rahim, at=date(2024, 5, 1), outcome="interested", notes=OLD_NOTE, user=rina)
        ids = {"rina": rina.id}
    monkeypatch.setenv("C360_RETENTION_DAYS_NOTES", "365")
    get_settings.cache_clear()
    settings = get_settings()
    agent = Agent(settings, sessions, Clock.from_settings(settings))
    actor = Actor(id=ids["rina"], name="Rina Akter", role=Role.agent)
    try:
        agent.run_turn("ret-a", actor, "show me Rahim Uddin's full history")
        agent.run_turn("ret-b", actor, "tell me about Karim Ahmed")
        assert "saffron silk saree" in stored_text(agent, "ret-a"), "the thread quoted the old note"
        kept = agent.history("ret-b")

        preview = runner.invoke(app, ["retention", "apply", "--dry-run"])
        assert preview.exit_code == 0, preview.output
        assert "conversation threads would delete: 1" in preview.stdout
        assert "saffron silk saree" in stored_text(agent, "ret-a")  # a dry run changes nothing

        result = runner.invoke(app, ["retention", "apply"])
        assert result.exit_code == 0, result.output
        assert "conversation threads deleted: 1" in result.stdout
        assert "saffron silk saree" not in stored_text(agent, "ret-a")
        assert agent.history("ret-b") == kept  # a conversation without old text stays
        again = runner.invoke(app, ["retention", "apply"])
        assert "conversation threads deleted: 0" in again.stdout
    finally:
        agent.close()
