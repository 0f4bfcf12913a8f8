"""Erasure reaches stored conversations: ``forget_customer`` deletes every thread that mentions the
customer (by id, name, phone in any form, email) and leaves the others; and a channel-only tool
(``export_customer``) is neither shown to nor run for a model."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from agent.backends.scripted import ScriptedModel
from agent.checkpoint import forget_customer
from agent.decisions import Reply, ToolCall, ToolCalls
from agent.mentions import Mentions
from domain.db import transaction
from domain.models import Customer
from domain.privacy import erase_customer, identifying_terms
from tests.agent.conftest import RAHIM_EMAIL, RAHIM_PHONE
from tests.factories import make_family, make_user


@pytest.fixture
def no_old_threads(db_url):
    """On PostgreSQL the checkpoint tables outlive a test (they are not the app's tables): empty them."""
    if db_url.startswith("postgresql"):
        engine = create_engine(db_url, poolclass=NullPool)
        with engine.begin() as conn:
            for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
                conn.exec_driver_sql(f"DELETE FROM {table}") if _exists(conn, table) else None
        engine.dispose()


def _exists(conn, table: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}).scalar() is not None


def test_erasing_a_customer_deletes_their_threads_and_keeps_the_others(world, actor, settings_for, agents,
                                                                       sessions, clock, no_old_threads):
    settings = settings_for(llm_backend="offline")
    agent = agents(settings)
    about_a = agent.run_turn("about-a", actor, "tell me about Rahim Uddin")
    assert [(c["name"], c["ok"]) for c in about_a.calls] == [("get_360", True)]
    pending_a = agent.run_turn("write-a", actor, "log a call with Rahim Uddin, he wants the blue kettle")
    assert pending_a.pending["customer"]["id"] == world["rahim"]  # a write about A waits for approval
    about_b = agent.run_turn("about-b", actor, "tell me about Karim Ahmed")
    assert [(c["name"], c["ok"]) for c in about_b.calls] == [("get_360", True)]
    b_history = agent.history("about-b")
    assert b_history and "Rahim" not in str(b_history)

    with transaction(sessions) as session:
        admin = make_user(session, "Ayesha Admin", role="admin")
        make_family(session, session.get(Customer, world["rahim"]), "Sarah Uddin", "spouse")
        terms = identifying_terms(session, world["rahim"])
        erase_customer(session, world["rahim"], reason="customer request", user_id=admin.id, now=clock.now())
    assert {"Rahim Uddin", "+8801911223344", "01911-223344", RAHIM_EMAIL, "Sarah Uddin"} <= set(terms)

    assert forget_customer(settings, world["rahim"], terms, checkpointer=agent.checkpointer) == 2
    for gone in ("about-a", "write-a"):
        assert agent.history(gone) == [] and agent.pending(gone) is None
    assert agent.history("about-b") == b_history  # B's conversation is untouched
    assert "Karim Ahmed" in agent.run_turn("about-b", actor, "what did he buy last?").reply  # and goes on
    assert forget_customer(settings, world["rahim"], [], checkpointer=agent.checkpointer) == 0  # idempotent


def test_a_thread_is_found_by_phone_email_or_id_alone(world, actor, settings_for, agents, no_old_threads):
    script = ScriptedModel([
        Reply("noted"),  # by-phone: only the number the user typed, in another form than stored
        Reply("noted"),  # by-email
        ToolCalls([ToolCall("get_360", {"customer": world["rahim"]})]), Reply("done"),  # by-id
        Reply("noted"),  # other: Karim's number only
    ])
    settings = settings_for()
    agent = agents(settings, backend=script)
    agent.run_turn("by-phone", actor, "remind me to ring +880 1911-223344 later")
    agent.run_turn("by-email", actor, f"he wrote from {RAHIM_EMAIL.upper()} yesterday")
    agent.run_turn("by-id", actor, "open that one")
    agent.run_turn("other", actor, "remind me to ring 01812-345678 and 01911-223345")
    # the id only (what is left once the name and phone are erased) still finds the tool call
    assert forget_customer(settings, world["rahim"], [], checkpointer=agent.checkpointer) == 1
    assert agent.history("by-id") == []
    terms = [RAHIM_PHONE, RAHIM_EMAIL, "Rahim Uddin"]
    assert forget_customer(settings, world["rahim"], terms, checkpointer=agent.checkpointer) == 2
    assert agent.history("by-phone") == [] and agent.history("by-email") == []
    assert len(agent.history("other")) == 2


def test_without_a_checkpoint_file_nothing_is_created(settings_for, tmp_path, db_url):
    settings = settings_for()
    if db_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL checkpointer lives in the database itself")
    assert forget_customer(settings, 1, ["Rahim Uddin"]) == 0
    assert not (tmp_path / "checkpoints.db").exists()


@pytest.mark.parametrize(("value", "found"), [
    ("Tell me about RAHIM   uddin", True),
    ("Rahim Uddinson called", False),
    ("ring 8801911223344", True),
    ("ring 01911-223346", False),
    ({"customer_id": 7}, True),
    ({"customer_id": 77}, False),
    ({"arguments": {"customer": "#7"}}, True),
    ({"recent": [{"id": 7, "name": "Erased customer #7"}]}, True),
    ({"orders": [{"id": 7}]}, False),  # another table's id 7 is not the customer
    ('<data tool="get_360">{"ok": true, "customer_id": 7}</data>', True),
    ("masked +880*******344", False),
])
def test_mentions(value, found):
    mentions = Mentions(7, ["Rahim Uddin", RAHIM_PHONE, "+8801911223344", RAHIM_EMAIL, "Al", ""])
    assert mentions.found_in(value) is found


def test_a_channel_only_tool_is_hidden_from_and_refused_to_a_model(world, actor, settings_for, agents, thread_id):
    script = ScriptedModel([ToolCalls([ToolCall("export_customer", {"customer_id": world["rahim"]})]), Reply("ok")])
    agent = agents(settings_for(), backend=script)
    result = agent.run_turn(thread_id, actor, "export Rahim")
    offered = {tool["function"]["name"] for tool in script.requests[0].tools}
    assert "get_360" in offered and "export_customer" not in offered
    [call] = result.calls
    assert (call["name"], call["ok"], call["error"]) == ("export_customer", False, "unknown_tool")
    assert "+8801911223344" not in str(agent.history(thread_id))
