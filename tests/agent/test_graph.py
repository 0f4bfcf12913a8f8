"""The graph with a scripted model: confirmation, edits, errors back to the model, limits, honest replies."""
from __future__ import annotations

from sqlalchemy import func, select

from agent.backends.scripted import ScriptedModel
from agent.decisions import ModelUnavailable, Reply, ToolCall, ToolCalls
from agent.graph import idempotency_key
from domain.models import AuditLog, FamilyMember, IdempotencyRecord, Interaction


def count(sessions, column) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(column)))


def log_call(customer, **extra) -> ToolCalls:
    return ToolCalls([ToolCall("log_interaction", {"customer": customer, "type": "call", "notes": "asked about kettles",
                                                   **extra})])


def test_context_carries_the_customer_across_turns(world, actor, settings_for, agents, thread_id):
    model = ScriptedModel([
        ToolCalls([ToolCall("find_customers", {"query": "Karim"})]), Reply("Karim Ahmed, Chittagong."),
        ToolCalls([ToolCall("find_customers", {"query": "Rahim"})]), Reply("Rahim Uddin, Dhaka."),
        lambda request: log_call(request.context["customer"]["id"]),
    ])
    agent = agents(settings_for(), backend=model)
    agent.run_turn(thread_id, actor, "find Karim")
    agent.run_turn(thread_id, actor, "and Rahim?")
    pending = agent.run_turn(thread_id, actor, "log a call with him").pending
    assert pending["customer"] == {"id": world["rahim"], "name": "Rahim Uddin"}
    context = model.requests[-1].context
    assert [c["name"] for c in context["recent"]] == ["Rahim Uddin", "Karim Ahmed"]


def test_edit_is_merged_and_revalidated(world, actor, settings_for, agents, sessions, thread_id):
    model = ScriptedModel([log_call(world["rahim"]), Reply("ok")])
    agent = agents(settings_for(), backend=model)
    agent.run_turn(thread_id, actor, "log a call with Rahim")
    bad = agent.resume(thread_id, actor, "edit", {"outcome": "thrilled"})
    assert bad.pending and "outcome" in bad.pending["problem"] and "Approve, edit or cancel?" in bad.reply
    assert count(sessions, Interaction.id) == 0  # an invalid edit writes nothing and asks again
    good = agent.resume(thread_id, actor, "edit", {"outcome": "interested", "duration_seconds": 120})
    assert good.pending is None and good.calls[-1]["status"] == "done"
    with sessions() as session:
        row = session.scalars(select(Interaction)).one()
    assert (row.outcome, row.duration_seconds, row.notes) == ("interested", 120, "asked about kettles")


def test_editing_the_customer_shows_the_new_one_before_writing(world, actor, settings_for, agents, sessions,
                                                               thread_id):
    agent = agents(settings_for(), backend=ScriptedModel([log_call(world["rahim"]), Reply("ok")]))
    agent.run_turn(thread_id, actor, "log a call with Rahim")
    again = agent.resume(thread_id, actor, "edit", {"customer": "Karim"})
    assert again.pending["customer"] == {"id": world["karim"], "name": "Karim Ahmed"}
    assert count(sessions, Interaction.id) == 0
    agent.resume(thread_id, actor, "approve")
    with sessions() as session:
        assert session.scalars(select(Interaction.customer_id)).all() == [world["karim"]]


def test_write_uses_an_idempotency_key_from_thread_and_call(world, actor, settings_for, agents, sessions, thread_id):
    call = ToolCall("log_interaction", {"customer": world["rahim"], "type": "call", "notes": "x"}, id="call_fixed")
    agent = agents(settings_for(), backend=ScriptedModel([ToolCalls([call]), Reply("ok")]))
    agent.run_turn(thread_id, actor, "log it")
    agent.resume(thread_id, actor, "approve")
    with sessions() as session:
        keys = list(session.scalars(select(IdempotencyRecord.key)))
    assert keys == [idempotency_key(thread_id, 1, "call_fixed")]


def test_new_message_while_waiting_cancels_the_write(world, actor, settings_for, agents, sessions, thread_id):
    model = ScriptedModel([log_call(world["rahim"]), Reply("Karim is in Chittagong.")])
    agent = agents(settings_for(), backend=model)
    agent.run_turn(thread_id, actor, "log a call with Rahim")
    result = agent.run_turn(thread_id, actor, "where is Karim based?")
    assert result.reply.startswith("(The write waiting for approval was cancelled.)")
    assert count(sessions, Interaction.id) == 0 and agent.pending(thread_id) is None


def test_yes_approves_the_pending_write(world, actor, settings_for, agents, sessions, thread_id):
    agent = agents(settings_for(), backend=ScriptedModel([log_call(world["rahim"]), Reply("ok")]))
    agent.run_turn(thread_id, actor, "log a call with Rahim")
    assert agent.run_turn(thread_id, actor, "yes").calls[-1]["status"] == "done"
    assert count(sessions, Interaction.id) == 1


def test_without_approval_writes_run_at_once(world, actor, settings_for, agents, sessions, thread_id):
    agent = agents(settings_for(writes_need_approval=False),
                   backend=ScriptedModel([log_call(world["rahim"]), Reply("Done, logged!")]))
    result = agent.run_turn(thread_id, actor, "log a call with Rahim")
    assert result.pending is None and count(sessions, Interaction.id) == 1
    assert result.reply.startswith("✅ Logged outbound call with Rahim Uddin")


def test_reply_never_claims_a_write_that_failed(world, actor, settings_for, agents, sessions, thread_id):
    bad_follow_up = log_call(world["rahim"], follow_up_at="2020-01-01")
    agent = agents(settings_for(writes_need_approval=False),
                   backend=ScriptedModel([bad_follow_up, Reply("I've logged the call and set the follow-up.")]))
    result = agent.run_turn(thread_id, actor, "log a call with Rahim, follow up 1 Jan 2020")
    assert count(sessions, Interaction.id) == 0
    assert "logged" not in result.reply.lower() and "Nothing was written" in result.reply
    assert result.calls[0]["status"] == "failed"


def test_invalid_arguments_go_back_to_the_model(world, actor, settings_for, agents, sessions, thread_id):
    model = ScriptedModel([
        ToolCalls([ToolCall("add_family_member", {"customer": world["rahim"], "name": "Sarah", "relationship": "wife",
                                                  "date_of_birth": "1990-02-30"})]),
        ToolCalls([ToolCall("add_family_member", {"customer": world["rahim"], "name": "Sarah", "relationship": "spouse",
                                                  "date_of_birth": "1990-02-28"})]),
        Reply("Added."),
    ])
    agent = agents(settings_for(), backend=model)
    pending = agent.run_turn(thread_id, actor, "add his wife Sarah born 30 Feb 1990").pending
    assert model.requests[1].messages[-1]["role"] == "tool" and "invalid" in model.requests[1].messages[-1]["content"]
    assert pending["arguments"]["date_of_birth"] == "1990-02-28"
    agent.resume(thread_id, actor, "approve")
    assert count(sessions, FamilyMember.id) == 1 and count(sessions, AuditLog.id) == 1


def test_step_limit_ends_the_turn(world, actor, settings_for, agents, thread_id):
    endless = ScriptedModel([ToolCalls([ToolCall("find_customers", {"query": "Rahim"})])] * 10)
    result = agents(settings_for(agent_max_steps=3), backend=endless).run_turn(thread_id, actor, "loop")
    assert "stopped after 3 steps" in result.reply and len(result.calls) == 3


def test_model_failure_ends_the_turn_politely(world, actor, settings_for, agents, thread_id):
    def broken(request):
        raise ModelUnavailable("the language model server could not be reached")

    result = agents(settings_for(), backend=ScriptedModel([broken])).run_turn(thread_id, actor, "hi")
    assert "could not be reached" in result.reply and "Nothing was written" in result.reply


def test_stream_yields_tool_steps_text_and_the_result(world, actor, settings_for, agents, thread_id):
    model = ScriptedModel([ToolCalls([ToolCall("find_customers", {"query": "Rahim"})]), Reply("Rahim Uddin, Dhaka.")])
    events = list(agents(settings_for(), backend=model).stream_turn(thread_id, actor, "find Rahim"))
    kinds = [e.kind for e in events]
    assert kinds[0] == "tool" and kinds[-1] == "final" and "text" in kinds
    assert events[0].data["name"] == "find_customers" and events[0].data["ok"]
    assert "".join(e.data for e in events if e.kind == "text") == events[-1].data.reply
