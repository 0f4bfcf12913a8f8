"""Proposals for the newer writes: every field shown, what will change, and no confirmation for a
write the user may not make (the permission is checked when proposing, and again when writing)."""
from __future__ import annotations

from sqlalchemy import func, select

from agent.backends.scripted import ScriptedModel
from agent.decisions import Reply, ToolCall, ToolCalls
from domain.enums import Role
from domain.models import AuditLog, ChannelConsent, Note, Tag
from tests.factories import make_customer, make_user
from tools.context import Actor


def one(name, **args) -> ToolCalls:
    return ToolCalls([ToolCall(name, args)])


def rows(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_consent_proposal_lists_each_channel_before_and_after(world, actor, settings_for, agents, thread_id):
    agent = agents(settings_for(), backend=ScriptedModel([
        one("update_consent", customer=world["rahim"], channel="all", opted_in=False, reason="stop all"), Reply("ok")]))
    pending = agent.run_turn(thread_id, actor, "she wants no more messages").pending
    assert pending["tool"] == "update_consent" and pending["action"] == "Change consent"
    summary = pending["summary"]
    assert "whatsapp: no decision on record -> opted out" in summary
    assert "email: no decision on record -> opted out" in summary
    assert "opted in: no" in summary and "reason: stop all" in summary


def test_tag_proposal_says_what_is_already_there(world, actor, settings_for, agents, sessions, thread_id):
    with sessions.begin() as s:
        s.add(Tag(customer_id=world["rahim"], tag="vip"))
    agent = agents(settings_for(), backend=ScriptedModel([
        one("tag_customer", customer=world["rahim"], add=["VIP", "eid shopper"]), Reply("ok")]))
    pending = agent.run_turn(thread_id, actor, "tag him").pending
    assert "add vip (already there: unchanged)" in pending["summary"]
    assert "add eid-shopper" in pending["summary"]


def test_no_confirmation_for_a_write_the_user_may_not_make(sessions, settings_for, agents, thread_id):
    with sessions.begin() as s:
        rina = make_user(s, "Rina Akter")
        sumi = make_user(s, "Sumi Akter")
        theirs = make_customer(s, "Karim Mia", phone="01812345678", assigned_to=sumi).id
        rina_actor = Actor(rina.id, rina.name, Role.agent)
    settings = settings_for(agents_see_all_customers=False)
    for call in (one("add_note", customer=theirs, text="likes blue"),
                 one("tag_customer", customer=theirs, add=["vip"]),
                 one("log_interaction", customer=theirs, type="call", notes="x")):
        agent = agents(settings, backend=ScriptedModel([call, Reply("done")]))
        out = agent.run_turn(f"{thread_id}-{call.calls[0].name}", rina_actor, "do it")
        assert out.pending is None, f"{call.calls[0].name} asked to approve a forbidden write"
        [made] = out.calls
        assert made["status"] == "failed" and made["error"] == "forbidden"
    assert rows(sessions, Note) == 0 and rows(sessions, Tag) == 0 and rows(sessions, AuditLog) == 0


def test_an_opt_out_is_proposed_even_for_another_agents_customer(sessions, settings_for, agents, thread_id):
    with sessions.begin() as s:
        rina = make_user(s, "Rina Akter")
        theirs = make_customer(s, "Karim Mia", phone="01812345678", assigned_to=make_user(s, "Sumi Akter")).id
        rina_actor = Actor(rina.id, rina.name, Role.agent)
    agent = agents(settings_for(agents_see_all_customers=False), backend=ScriptedModel([
        one("update_consent", customer=theirs, channel="sms", opted_in=False), Reply("ok")]))
    assert agent.run_turn(thread_id, rina_actor, "stop sms").pending["tool"] == "update_consent"
    agent.resume(thread_id, rina_actor, "approve")
    assert rows(sessions, ChannelConsent) == 1
