"""The ``/c360`` slash command: acknowledged empty at once; the answer follows on the response_url."""
from __future__ import annotations

import re
from typing import Any

from channels.slack.bridge import SlackBridge
from channels.slack.flows import converse
from channels.slack.targets import Target

USAGE = ("*/c360* talks to the c360 assistant, privately:\n"
         "• `/c360 call list`: who to call today\n"
         "• `/c360 360 Rahim`: everything about a customer\n"
         "• `/c360 <anything>`: any question or request, e.g. `/c360 log a call with him, call back Friday`")
SHORTHANDS = [
    (re.compile(r"^(call ?list|calls|list)$", re.IGNORECASE), lambda m: "who should I call today?"),
    (re.compile(r"^360\s+(.+)$", re.IGNORECASE), lambda m: f"show the 360 view of {m.group(1)}"),
]


def as_request(text: str) -> str:
    """The command's text as a request to the agent; the documented shorthands spelled out."""
    text = text.strip()
    for pattern, spell in SHORTHANDS:
        match = pattern.match(text)
        if match:
            return spell(match)
    return text


async def handle_command(bridge: SlackBridge, command: dict[str, Any]) -> None:
    team, user = command.get("team_id", ""), command.get("user_id", "")
    if not await bridge.claim(team_id=team, kind="command", event_id=f"command:{command.get('trigger_id')}",
                              slack_user_id=user):
        return
    target = Target.for_command(team, command.get("channel_id", ""), user, command.get("response_url"))
    await converse(bridge, target, user, as_request(command.get("text") or ""))


def register(app, bridge: SlackBridge) -> None:
    @app.command("/c360")
    async def on_c360(ack, command) -> None:
        text = (command.get("text") or "").strip()
        if text.lower() in ("", "help", "?"):
            await ack(text=USAGE, response_type="ephemeral")
            return
        await ack()
        bridge.spawn(handle_command(bridge, command), "command")
