"""Button clicks: Approve / Edit / Cancel on a confirmation, Open 360 / Log call / Draft WhatsApp /
Add note / Opt out… on a customer. Each is acknowledged at once; the work follows in the background."""
from __future__ import annotations

import json
from typing import Any

from channels.slack import blocks as ui
from channels.slack.bridge import SlackBridge
from channels.slack.flows import converse, customer_form, decide, log_call_form, open_editor
from channels.slack.targets import Target, dm_target


def clicked(body: dict[str, Any]) -> dict[str, Any]:
    """The button's value (JSON we wrote); {} when it is not ours."""
    try:
        value = json.loads(body["actions"][0].get("value") or "{}")
    except (KeyError, IndexError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def where(body: dict[str, Any]) -> dict[str, Any]:
    """The message the click came from: channel, ts, its thread, ephemeral or not, the response_url."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    return {"channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
            "ts": container.get("message_ts") or message.get("ts"),
            "thread_ts": container.get("thread_ts") or message.get("thread_ts"),
            "ephemeral": bool(container.get("is_ephemeral")), "response_url": body.get("response_url")}


def team_of(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""


async def target_of(bridge: SlackBridge, body: dict[str, Any]) -> Target:
    """Where a customer button's answer goes: the same thread, the command's reply, or the user's DM."""
    team, user, message = team_of(body), body["user"]["id"], where(body)
    if (body.get("container") or {}).get("type") == "view" or not message["channel"]:
        return await dm_target(bridge.client, team, user)  # App Home: answer in the DM
    if message["ephemeral"]:
        return Target.for_command(team, message["channel"], user, message["response_url"])
    return Target.for_message(team, message["channel"], message["ts"], message["thread_ts"])


async def ask_about(bridge: SlackBridge, body: dict[str, Any], text: str) -> None:
    await converse(bridge, await target_of(bridge, body), body["user"]["id"], text)


async def log_call_clicked(bridge: SlackBridge, body: dict[str, Any], value: dict[str, Any]) -> None:
    await log_call_form(bridge, team=team_of(body), user=body["user"]["id"], trigger_id=body["trigger_id"],
                        customer=value, target=await target_of(bridge, body))


def register(app, bridge: SlackBridge) -> None:
    def decision(action_id: str) -> None:
        @app.action(action_id)
        async def on_decision(ack, body) -> None:
            await ack()
            value = clicked(body)
            if "t" not in value:
                return
            user = body["user"]["id"]
            if action_id == ui.EDIT:
                bridge.spawn(open_editor(bridge, user=user, trigger_id=body["trigger_id"], value=value,
                                         message=where(body), team=team_of(body)), "edit")
                return
            bridge.spawn(decide(bridge, team=team_of(body), user=user, value=value,
                                decision=ui.DECISIONS[action_id], message=where(body)), "decision")

    for action_id in ui.DECISIONS:
        decision(action_id)

    @app.action(ui.OPEN_360)
    async def on_open(ack, body) -> None:
        await ack()
        value = clicked(body)
        if "c" in value:
            bridge.spawn(ask_about(bridge, body, f"Show the 360 view of customer #{int(value['c'])}"), "open_360")

    @app.action(ui.DRAFT_WHATSAPP)
    async def on_draft(ack, body) -> None:
        await ack()
        value = clicked(body)
        if "c" in value:
            topic = value.get("o") or "a friendly check-in"
            bridge.spawn(ask_about(bridge, body, f"Draft a WhatsApp message to customer #{int(value['c'])} "
                                                 f"about {topic}"), "draft")

    @app.action(ui.LOG_CALL)
    async def on_log_call(ack, body) -> None:
        await ack()
        value = clicked(body)
        if "c" in value:
            bridge.spawn(log_call_clicked(bridge, body, value), "log_call")

    def form(action_id: str, kind: str) -> None:
        @app.action(action_id)
        async def on_form(ack, body) -> None:
            await ack()
            value = clicked(body)
            if "c" not in value:
                return

            async def open_form() -> None:
                await customer_form(bridge, kind=kind, team=team_of(body), user=body["user"]["id"],
                                    trigger_id=body["trigger_id"], customer=value,
                                    target=await target_of(bridge, body))
            bridge.spawn(open_form(), kind)

    form(ui.ADD_NOTE, "note")
    form(ui.OPT_OUT, "opt_out")
