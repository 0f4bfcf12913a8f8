"""Modal submissions: the Log call, Add note and Opt out forms, and the Edit form. Field errors are answered in the ack
(Slack shows them in the form); everything else runs after it."""
from __future__ import annotations

import json
from typing import Any

from channels.slack.bridge import SlackBridge
from channels.slack.flows import decide, log_call, submit_form
from channels.slack.modals import (
    EDIT_FORM,
    LOG_CALL_FORM,
    NOTE_FORM,
    OPT_OUT_FORM,
    read_edit,
    read_log_call,
    read_note,
    read_opt_out,
)


def team_of(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""


def register(app, bridge: SlackBridge) -> None:
    @app.view(LOG_CALL_FORM)
    async def on_log_call(ack, body, view) -> None:
        arguments, target, errors = read_log_call(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        bridge.spawn(log_call(bridge, team=team_of(body), user=body["user"]["id"], view_id=view["id"],
                              arguments=arguments, target=target,
                              opener=json.loads(view["private_metadata"]).get("u")), "log_call_form")

    @app.view(EDIT_FORM)
    async def on_edit(ack, body, view) -> None:
        await ack()
        meta = json.loads(view["private_metadata"])
        changes = read_edit(view, meta["tool"])
        bridge.spawn(decide(bridge, team=team_of(body), user=body["user"]["id"], value=meta["v"],
                            decision="edit", message=meta["m"], changes=changes), "edit_form")

    def customer_form(callback_id: str, tool: str, read) -> None:
        @app.view(callback_id)
        async def on_submit(ack, body, view) -> None:
            arguments, target, errors = read(view)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            opener = json.loads(view["private_metadata"]).get("u")
            bridge.spawn(submit_form(bridge, tool=tool, team=team_of(body), user=body["user"]["id"],
                                     view_id=view["id"], arguments=arguments, target=target, opener=opener),
                         callback_id)

    customer_form(NOTE_FORM, "add_note", read_note)
    customer_form(OPT_OUT_FORM, "update_consent", read_opt_out)
