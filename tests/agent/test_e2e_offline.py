"""The default path end to end: no LLM configured, the offline model drives the real graph and tools."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from agent.backends.offline import OfflineBackend
from domain.models import Dropoff, FamilyMember, Interaction


def test_offline_conversation_end_to_end(world, actor, settings_for, agents, sessions, thread_id):
    settings = settings_for()  # llm_backend "auto" with no LLM configured -> offline
    agent = agents(settings)
    assert isinstance(agent.backend, OfflineBackend)

    found = agent.run_turn(thread_id, actor, "find Rahim")
    assert found.calls[0]["name"] == "find_customers" and "Rahim Uddin" in found.reply

    logged = agent.run_turn(thread_id, actor, "Just called him, he loved the blue kettle, call him back Friday")
    pending = logged.pending
    assert pending["customer"] == {"id": world["rahim"], "name": "Rahim Uddin"}
    assert pending["arguments"]["follow_up_at"] == "2026-11-27" and pending["arguments"]["products"] == ["Blue Kettle"]
    agents(settings).resume(thread_id, actor, "approve")  # approved from another process
    with sessions() as session:
        row = session.scalars(select(Interaction)).one()
        assert row.customer_id == world["rahim"] and row.type == "call"
        assert row.follow_up_at.astimezone(settings.tz).date() == date(2026, 11, 27)

    family = agent.run_turn(thread_id, actor, "add his wife Sarah, born 22 Nov 1990")
    assert family.pending["arguments"] == {"customer": world["rahim"], "name": "Sarah", "relationship": "spouse",
                                           "date_of_birth": "1990-11-22", "gender": "female"}
    declined = agent.run_turn(thread_id, actor, "no")
    assert "nothing was written" in declined.reply.lower()

    cart = agent.run_turn(thread_id, actor, "mark his cart recovered")
    assert any(d.startswith("drop-off #") and "Blue Kettle" in d for d in cart.pending["details"])
    done = agent.run_turn(thread_id, actor, "yes")
    assert done.reply.startswith("✅ Marked drop-off")
    assert done.reply.count("Credited to") == 1  # the model's echo of the tool text is not repeated
    with sessions() as session:
        assert session.scalar(select(func.count(FamilyMember.id))) == 0
        assert session.scalar(select(func.count(Interaction.id))) == 1
        assert session.scalar(select(Dropoff.recovered)) is True


def test_offline_model_sees_new_customers(world, actor, settings_for, agents, sessions, thread_id):
    from tests.factories import make_customer

    agent = agents(settings_for())
    agent.run_turn(thread_id, actor, "find Rahim")
    with sessions() as session, session.begin():
        make_customer(session, "Nusrat Jahan", city="Sylhet")
    result = agent.run_turn(thread_id, actor, "find Nusrat")
    assert "Nusrat Jahan" in result.reply


def test_an_overlong_message_is_refused_before_the_model_sees_it(actor, settings_for, agents, thread_id):
    agent = agents(settings_for(agent_max_message_chars=200))
    result = agent.run_turn(thread_id, actor, "log a call with rahim " * 20)
    assert "at most 200" in result.reply and result.calls == [] and result.pending is None
