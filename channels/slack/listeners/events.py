"""Events API: mentions in channels, direct messages, App Home. Bolt acknowledges events itself,
before the listener runs; the listener only schedules the work."""
from __future__ import annotations

import re
from typing import Any

from channels.slack.bridge import SlackBridge
from channels.slack.flows import converse, publish_home
from channels.slack.targets import Target

MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")
HELP = ("Ask me about your customers, e.g. \"who should I call today?\", \"show me Rahim\", "
        "\"log a call with him, call back Friday\", \"draft a WhatsApp to Rahim about the kettle\".")


def retry_num(request) -> int:
    raw = (request.headers.get("x-slack-retry-num") or ["0"])[0]
    return int(raw) if str(raw).isdigit() else 0


async def handle_message(bridge: SlackBridge, body: dict[str, Any], event: dict[str, Any], retries: int) -> None:
    """A user's message (mention or DM): claimed once by event id and by channel + ts, then answered."""
    team = body.get("team_id") or event.get("team") or ""
    channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
    if not await bridge.claim(team_id=team, kind="message", event_id=body.get("event_id"), channel=channel,
                              message_ts=ts, slack_user_id=user, retry_num=retries):
        return
    target = Target.for_message(team, channel, ts, event.get("thread_ts"))
    text = MENTION.sub("", event.get("text") or "").strip()
    if not text:
        await target.post(bridge.client, HELP, [{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}])
        return
    await converse(bridge, target, user, text)


def register(app, bridge: SlackBridge) -> None:
    @app.event("app_mention")
    async def on_mention(body, event, request) -> None:
        bridge.spawn(handle_message(bridge, body, event, retry_num(request)), "app_mention")

    @app.event("message")
    async def on_message(body, event, request) -> None:
        # only what a person typed in a DM with the bot: no edits, joins, bot posts or channel chatter
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        bridge.spawn(handle_message(bridge, body, event, retry_num(request)), "dm")

    @app.event("app_home_opened")
    async def on_home(event) -> None:
        if event.get("tab", "home") == "home":
            bridge.spawn(publish_home(bridge, event["user"]), "app_home")
