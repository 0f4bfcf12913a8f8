"""A long thread stays bounded: its messages are trimmed and summarised, old checkpoints pruned."""
from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text

from agent.backends.scripted import ScriptedModel
from agent.checkpoint import checkpoint_path
from agent.decisions import Reply, ToolCall, ToolCalls
from agent.history import trim_messages

TURNS = 200
LIMIT = 12


def stored(agent, thread_id: str) -> tuple[int, int]:
    """(checkpoint rows, bytes of checkpoints + writes + blobs) the thread occupies."""
    if agent.checkpointer.kind == "sqlite":
        with sqlite3.connect(checkpoint_path(agent.settings)) as conn:
            rows, size = conn.execute("SELECT count(*), coalesce(sum(length(checkpoint)), 0) FROM checkpoints "
                                      "WHERE thread_id = ?", (thread_id,)).fetchone()
            size += conn.execute("SELECT coalesce(sum(length(value)), 0) FROM writes WHERE thread_id = ?",
                                 (thread_id,)).fetchone()[0]
        return rows, size
    engine = create_engine(agent.settings.resolved_database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM checkpoints WHERE thread_id = :t"), {"t": thread_id}).scalar()
        size = sum(conn.execute(text(f"SELECT coalesce(sum(length({col})), 0) FROM {table} WHERE thread_id = :t"),
                                {"t": thread_id}).scalar()
                   for table, col in (("checkpoints", "checkpoint::text"), ("checkpoint_blobs", "blob"),
                                      ("checkpoint_writes", "blob")))
    engine.dispose()
    return rows, size


def test_two_hundred_turns_stay_bounded(world, actor, settings_for, agents, thread_id):
    steps = []
    for turn in range(TURNS):  # every tenth turn looks someone up; the last one is Rahim
        if turn % 10 == 9:
            steps.append(ToolCalls([ToolCall("find_customers", {"query": "Rahim" if turn % 20 == 19 else "Karim"})]))
        steps.append(Reply(f"Answer {turn}."))
    agent = agents(settings_for(agent_history_messages=LIMIT), backend=ScriptedModel(steps))
    sizes = {}
    for turn in range(TURNS):
        agent.run_turn(thread_id, actor, f"question {turn}")
        if turn + 1 in (TURNS // 2, TURNS):
            sizes[turn + 1] = stored(agent, thread_id)
    history = agent.history(thread_id)
    assert len(history) <= LIMIT and history[0]["role"] == "user"
    assert history[-4]["role"] == "user" and history[-4]["content"] == f"question {TURNS - 1}"
    assert [m["role"] for m in history[-4:]] == ["user", "assistant", "tool", "assistant"]
    assert sizes[TURNS][0] == sizes[TURNS // 2][0] == 1  # one checkpoint per thread after pruning
    assert sizes[TURNS][1] < 1.2 * sizes[TURNS // 2][1]  # and it does not grow with the thread's age
    state = agent.graph.get_state({"configurable": {"thread_id": thread_id}}).values
    assert state["turn"] == TURNS and "user asked: question" in state["context"]["summary"]
    assert state["context"]["customer"]["name"] == "Rahim Uddin"  # context survives the trimming


def test_trim_cuts_only_before_a_user_message():
    messages = [{"role": "user", "content": "a"},
                {"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "x", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "1", "content": "r"}, {"role": "assistant", "content": "b"},
                {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]
    kept, dropped = trim_messages(messages, 5)
    assert kept == messages[4:] and dropped == messages[:4]
    assert trim_messages(messages, 10) == (messages, [])
    assert trim_messages(messages[:4], 2) == (messages[:4], [])  # one long turn is never split
