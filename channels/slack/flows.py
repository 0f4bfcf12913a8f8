"""The work behind each Slack request, run after the acknowledgement: thin calls to the agent and tools.

Each flow claims its delivery first (``SlackBridge.claim``), so a retried or duplicated request does
nothing the second time, even in another process.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Any

from channels.slack import blocks as ui
from channels.slack.privacy import NOTE, for_channel
from channels.slack.bridge import SlackBridge
from channels.slack.targets import Target, conversations_at, replace_message, side_conversation, tell_privately

log = logging.getLogger(__name__)
MISPLACED = "This button does not belong to the conversation it was clicked in, so nothing was decided."
NOT_YOURS = "Only the person who asked for this write can decide it; nothing was changed."
FAILED = "Sorry, something went wrong on my side and nothing was written. Please try again in a moment."


WORKING = "Working on it…"
WORKING_AFTER_SECONDS = 3.0


async def converse(bridge: SlackBridge, target: Target, slack_user: str, text: str) -> None:
    """One turn of the conversation: unknown users get the access note; known users the agent's answer."""
    actor = await bridge.actor(slack_user)
    if actor is None:
        note = ui.access_text(slack_user)
        await target.post(bridge.client, note, [ui.section(ui.esc(note))])
        return
    target = await own_target(bridge, target, actor, slack_user)
    try:
        async with bridge.conversation_lock(target.conversation):
            turn = asyncio.ensure_future(bridge.blocking(bridge.agent.run_turn, target.conversation, actor, text))
            if getattr(bridge.agent.backend, "name", "offline") != "offline":
                done, _ = await asyncio.wait({turn}, timeout=WORKING_AFTER_SECONDS)
                if not done:  # a language model on a CPU server can take a while: say so, not silence
                    await target.post(bridge.client, WORKING, [ui.context(WORKING)])
            result = await turn
    except Exception:
        log.exception("agent turn failed in %s", target.conversation)
        await target.post(bridge.client, FAILED, [ui.section(FAILED)])
        return
    await post_result(bridge, target, result, slack_user)


async def own_target(bridge: SlackBridge, target: Target, actor, slack_user: str) -> Target:
    """In a channel thread where another user's write waits for approval, this user's words are a
    request of their own, in their own conversation state (answered in the same Slack thread): they
    never approve, cancel or replace the other user's write."""
    if not target.shared:
        return target
    side = side_conversation(target.conversation, slack_user)

    def choose() -> str:
        if bridge.agent.pending(side) is not None:  # this user's own write waits: "yes" is for it
            return side
        waiting = bridge.agent.pending(target.conversation)
        if waiting is not None and waiting.get("requested_by") not in (None, actor.id):
            return side
        return target.conversation

    conversation = await bridge.blocking(choose)
    return target if conversation == target.conversation else replace(target, conversation=conversation)


async def post_result(bridge: SlackBridge, target: Target, result: Any, slack_user: str) -> None:
    """A turn's answer: the cards, and a confirmation message when a write waits for approval."""
    if result.pending:
        shown = [b for card in result.cards for b in ui.card_blocks(card)]
        confirm = ui.confirmation_blocks(result.pending, target.conversation, slack_user)
        await post_answer(bridge, target, slack_user, result.reply, (shown + confirm)[-50:])
        return
    await post_answer(bridge, target, slack_user, result.reply, ui.turn_blocks(result.reply, result.cards))


async def post_answer(bridge: SlackBridge, target: Target, slack_user: str, text: str, blocks: list) -> None:
    """In a channel thread, phones and emails are shortened and the full answer goes to the asker
    alone (ephemeral, in the same thread); anywhere private it is posted whole."""
    if not target.shared:
        await target.post(bridge.client, text, blocks)
        return
    shown_text, shown_blocks, hidden = for_channel(text, blocks, bridge.settings.phone_region)
    if not hidden:
        await target.post(bridge.client, text, blocks)
        return
    await target.post(bridge.client, shown_text, (shown_blocks + [ui.context(NOTE)])[-50:])
    kwargs = {"thread_ts": target.thread_ts} if target.thread_ts else {}
    await bridge.client.chat_postEphemeral(channel=target.channel, user=slack_user, text=ui.clip(ui.esc(text), 3000),
                                           blocks=blocks, **kwargs)


async def decide(bridge: SlackBridge, *, team: str, user: str, value: dict[str, Any], decision: str,
                 message: dict[str, Any], changes: dict[str, Any] | None = None) -> None:
    """Approve, edit or cancel the write a confirmation message shows; once, whoever clicks twice.

    ``message`` locates the confirmation: channel, ts, thread_ts, ephemeral, response_url.
    """
    where = {k: message.get(k) for k in ("channel", "ts", "response_url", "ephemeral")}
    if user != value.get("u"):
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"),
                             text=f"Only <@{value.get('u')}> can decide this: it was their request.")
        return
    if value.get("t") not in conversations_at(team, message, user):
        log.warning("a decision button named a conversation its message does not belong to; refused")
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"), text=MISPLACED)
        return
    actor = await bridge.actor(user)
    if actor is None:
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"), text=ui.access_text(user))
        return
    thread_id = value["t"]
    waiting = await bridge.blocking(bridge.agent.pending, thread_id)
    if waiting is not None and waiting.get("requested_by") not in (None, actor.id):
        # checked before the claim: a refused click must not use up the requester's confirmation
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"), text=NOT_YOURS)
        return
    if not await bridge.claim(team_id=team, kind="decision", channel=message.get("channel"),
                              message_ts=message.get("ts"), slack_user_id=user):
        return  # a double click, or the same click delivered twice
    async with bridge.conversation_lock(thread_id):
        pending = await bridge.blocking(bridge.agent.pending, thread_id)
        if pending is None or pending.get("tool_call_id") != value.get("p"):
            note = "This confirmation is no longer waiting: it was already decided or replaced by a newer request."
            await replace_message(bridge.client, text=note, blocks=[ui.section(note)], **where)
            return
        if pending.get("requested_by") not in (None, actor.id):
            await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                                 response_url=message.get("response_url"), text=NOT_YOURS)
            return
        try:
            result = await bridge.blocking(bridge.agent.resume, thread_id, actor, decision, changes)
        except Exception:
            log.exception("resume failed in %s", thread_id)
            await replace_message(bridge.client, text=FAILED, blocks=[ui.section(FAILED)], **where)
            return
    outcome = "Needs another look: see the new confirmation below." if result.pending else result.reply
    summary = decided_summary(pending, decision, changes)
    await replace_message(bridge.client, text=outcome,
                          blocks=ui.decided_blocks(summary, decision, user, outcome), **where)
    if result.pending:  # an edit that needs fixing, or the next write of the same turn
        target = Target(team, message.get("channel"), message.get("thread_ts"), thread_id,
                        message.get("response_url") if message.get("ephemeral") else None)
        await post_result(bridge, target, result, user)


def decided_summary(pending: dict[str, Any], decision: str, changes: dict[str, Any] | None) -> str:
    """What the decided message says was asked: after an edit, the edited values (the ones written),
    not the proposal's."""
    if decision != "edit" or not changes or not pending.get("tool"):
        return pending.get("summary", "")
    from agent.proposals import apply_edit, describe

    merged, problem = apply_edit(pending, changes)
    return pending.get("summary", "") if problem else describe(pending["tool"], pending.get("customer"), merged)


async def open_editor(bridge: SlackBridge, *, user: str, trigger_id: str, value: dict[str, Any],
                      message: dict[str, Any], team: str = "") -> None:
    """Edit: a modal with the waiting write's fields; submitting it approves the edited write."""
    from channels.slack.modals import edit_modal

    if user != value.get("u"):
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"),
                             text=f"Only <@{value.get('u')}> can edit this: it was their request.")
        return
    if value.get("t") not in conversations_at(team, message, user):
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"), text=MISPLACED)
        return
    actor = await bridge.actor(user)
    pending = await bridge.blocking(bridge.agent.pending, value["t"])
    if pending is not None and actor is not None and pending.get("requested_by") not in (None, actor.id):
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"), text=NOT_YOURS)
        return
    if pending is None or pending.get("tool_call_id") != value.get("p"):
        await tell_privately(bridge.client, channel=message.get("channel"), user=user,
                             response_url=message.get("response_url"),
                             text="This confirmation is no longer waiting, so there is nothing to edit.")
        return
    await bridge.client.views_open(trigger_id=trigger_id, view=edit_modal(pending, value, message))


# The customer forms: which tool a submission runs, the modal, and arguments enough to ask the write
# gate at opening time whether this user may make that write at all (the proposal-time check).
CUSTOMER_FORMS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "log_call": ("log_interaction", "log_call_modal", {"type": "call", "notes": "-"}),
    "note": ("add_note", "note_modal", {"text": "-"}),
    "opt_out": ("update_consent", "opt_out_modal", {"channel": "all", "opted_in": False}),
}


async def customer_form(bridge: SlackBridge, *, kind: str, team: str, user: str, trigger_id: str,
                        customer: dict[str, Any], target: Target) -> None:
    """A customer button's modal (Log call, Add note, Opt out…), opened only for a user who may make
    that write on that customer; anyone else is told why, privately, and no form opens."""
    from channels.slack import modals

    tool, modal, probe = CUSTOMER_FORMS[kind]
    actor = await bridge.actor(user)
    if actor is None:
        await tell_privately(bridge.client, channel=target.channel, user=user, response_url=target.response_url,
                             text=ui.access_text(user))
        return
    refusal = await bridge.refusal(tool, {**probe, "customer": customer.get("c")}, actor)
    if refusal:
        await tell_privately(bridge.client, channel=target.channel, user=user, response_url=target.response_url,
                             text=f"⚠ {refusal}")
        return
    view = getattr(modals, modal)(customer, target)
    meta = {**json.loads(view["private_metadata"]), "u": user}  # who may submit it
    view["private_metadata"] = json.dumps(meta, separators=(",", ":"))
    await bridge.client.views_open(trigger_id=trigger_id, view=view)


async def log_call_form(bridge: SlackBridge, *, team: str, user: str, trigger_id: str,
                        customer: dict[str, Any], target: Target) -> None:
    """Log call: a modal asking outcome, notes and a follow-up date."""
    await customer_form(bridge, kind="log_call", team=team, user=user, trigger_id=trigger_id, customer=customer,
                        target=target)


async def submit_form(bridge: SlackBridge, *, tool: str, team: str, user: str, view_id: str,
                      arguments: dict[str, Any], target: Target, opener: str | None = None) -> None:
    """A customer form was submitted: that submission is the approval of this one write. Claimed per
    view (a retried or double submission does nothing again, in any process) and keyed by the view in
    the write gate (a replay writes nothing twice); the gate checks the user's rights again."""
    if opener is not None and opener != user:
        log.warning("a %s form opened by one user was submitted by another; refused", tool)
        await tell_privately(bridge.client, channel=target.channel, user=user, response_url=None,
                             text=f"This form was opened by <@{opener}>; nothing was written.")
        return
    if not await bridge.claim(team_id=team, kind="view", event_id=f"view:{view_id}", slack_user_id=user):
        return
    actor = await bridge.actor(user)
    if actor is None:
        await tell_privately(bridge.client, channel=target.channel, user=user, response_url=target.response_url,
                             text=ui.access_text(user))
        return
    payload = await bridge.tool(tool, arguments, actor, idempotency_key=f"slack:view:{view_id}")
    text = ("✅ " if payload.get("ok") else "⚠ ") + str(payload.get("text") or payload.get("message") or "")
    await target.post(bridge.client, text, [ui.section(ui.esc(text))])


async def log_call(bridge: SlackBridge, *, team: str, user: str, view_id: str, arguments: dict[str, Any],
                   target: Target, opener: str | None = None) -> None:
    """The Log call form was submitted: that submission is the approval; the write gate runs it once."""
    await submit_form(bridge, tool="log_interaction", team=team, user=user, view_id=view_id, arguments=arguments,
                      target=target, opener=opener)


async def publish_home(bridge: SlackBridge, user: str) -> None:
    """App Home: today's call list of the user's own customers."""
    actor = await bridge.actor(user)
    if actor is None:
        view = ui.home_view(None, None, user)
    else:
        payload = await bridge.tool("call_priority_list", {"assigned_to_me": True, "limit": 10}, actor)
        view = ui.home_view(actor.name, payload if payload.get("ok") else None, user,
                            error=None if payload.get("ok") else payload.get("message"))
    await bridge.client.views_publish(user_id=user, view=view)
