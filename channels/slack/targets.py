"""Where a conversation lives in Slack and how answers reach it.

Every Slack thread, and every DM, is one agent conversation. Its id is built from the team, the
channel and the thread's root timestamp: a mention in a channel starts a thread on the mentioned
message; a DM's top level is one conversation and a thread inside a DM is another. A slash
command's conversation is per user and channel, and its answers are ephemeral (response_url).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from channels.slack.blocks import clip, esc


def is_dm(channel: str | None) -> bool:
    """Slack's direct-message channel ids start with D."""
    return bool(channel) and channel.startswith("D")


def conversation_id(team: str, channel: str, root_ts: str | None) -> str:
    return f"slack:{team}:{channel}:{root_ts or 'dm'}"


def command_conversation(team: str, channel: str, user: str) -> str:
    return f"slack:{team}:{channel}:cmd-{user}"


def side_conversation(conversation: str, slack_user: str) -> str:
    """A user's own conversation inside a shared channel thread (used while someone else's write waits)."""
    return f"{conversation}:u-{slack_user}"


def conversations_at(team: str, message: dict[str, Any], user: str) -> set[str]:
    """The conversations a clicked message can belong to, from where Slack says it is (not from the
    button's value, which a click only carries back): its thread's, or the clicker's own in it."""
    channel = message.get("channel") or ""
    if message.get("ephemeral"):
        return {command_conversation(team, channel, user)}
    root = message.get("thread_ts") or (None if is_dm(channel) else message.get("ts"))
    base = conversation_id(team, channel, root)
    return {base, side_conversation(base, user)}


@dataclass(frozen=True)
class Target:
    """A conversation and where its answers are posted."""

    team: str
    channel: str | None
    thread_ts: str | None  # answer in this thread; None: at the channel's (DM's) top level
    conversation: str
    response_url: str | None = None  # slash commands: ephemeral answers to the user

    @classmethod
    def for_message(cls, team: str, channel: str, ts: str, thread_ts: str | None) -> Target:
        """A user's message: a DM answers where it was asked; a channel always answers in a thread."""
        root = thread_ts or (None if is_dm(channel) else ts)
        return cls(team, channel, root, conversation_id(team, channel, root))

    @classmethod
    def for_command(cls, team: str, channel: str, user: str, response_url: str | None) -> Target:
        return cls(team, channel, None, command_conversation(team, channel, user), response_url)

    @property
    def shared(self) -> bool:
        """A channel thread several people can type in (not a DM, not a private slash command)."""
        return not self.response_url and not is_dm(self.channel)

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, raw: str | dict[str, Any]) -> Target:
        return cls(**(json.loads(raw) if isinstance(raw, str) else raw))

    async def post(self, client, text: str, blocks: list[dict[str, Any]]) -> str | None:
        """Post an answer; returns the message ts (None for an ephemeral answer, which has no ts).
        ``text`` is plain text (it may hold customer names): escaped here, so it can never mention
        @channel or carry a disguised link; ``blocks`` are built escaped by ``channels.slack.blocks``."""
        text = clip(esc(text), 3000) or " "
        if self.response_url:
            await AsyncWebhookClient(self.response_url).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
            return None
        kwargs = {"thread_ts": self.thread_ts} if self.thread_ts else {}
        response = await client.chat_postMessage(channel=self.channel, text=text, blocks=blocks, **kwargs)
        return response.get("ts")


async def replace_message(client, *, channel: str | None, ts: str | None, response_url: str | None,
                          ephemeral: bool, text: str, blocks: list[dict[str, Any]]) -> None:
    """Rewrite a message the user clicked in: chat.update, or the response_url for ephemeral ones
    (``text`` is plain text, escaped here)."""
    text = clip(esc(text), 3000) or " "
    if ephemeral or not (channel and ts):
        if response_url:
            await AsyncWebhookClient(response_url).send(text=text, blocks=blocks, replace_original=True)
        return
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)


async def tell_privately(client, *, channel: str | None, user: str, response_url: str | None, text: str) -> None:
    """A note only the clicking user sees (not their click to make, an expired confirmation)."""
    if response_url:
        await AsyncWebhookClient(response_url).send(text=text, response_type="ephemeral", replace_original=False)
    elif channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)


async def dm_target(client, team: str, user: str) -> Target:
    """The user's DM with the bot, top level (App Home buttons and the digest answer there)."""
    opened = await client.conversations_open(users=user)
    channel = opened["channel"]["id"]
    return Target(team, channel, None, conversation_id(team, channel, None))
