"""The Slack app manifest (``c360 slack manifest --url URL``): everything the listeners need, so a
team creates the app from one paste (docs/slack.md). Every request URL is ``{url}/slack/events``:
the Bolt app answers events, the slash command and interactivity on that one route."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from domain.errors import DomainError

# Each scope is what a listener or the alert worker calls; nothing more.
BOT_SCOPES = (
    "app_mentions:read",  # app_mention events
    "chat:write",  # answers, cards, alerts in DMs and in channels the app is in
    "commands",  # /c360
    "im:history",  # message.im events: what people write in the DM
    "im:read",
    "im:write",  # conversations.open: the digest and alert DMs
    "users:read",  # who a Slack user is
    "users:read.email",  # matching workspace members to c360 users by email
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")


def events_url(url: str) -> str:
    """``https://host[/prefix]`` -> ``https://host[/prefix]/slack/events``; Slack requires HTTPS."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise DomainError(f"--url {url!r}: Slack calls only public https:// URLs, e.g. https://c360.example.com",
                          field="url")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}/slack/events"


def manifest(url: str | None, name: str = "c360", *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for an app Slack calls at ``url`` or, with ``socket_mode``, one that dials out to
    Slack (no request URLs at all; the app-level token is made by hand, docs/slack.md)."""
    if not name.strip() or len(name) > 35:
        raise DomainError("the app name must be 1-35 characters", field="name")
    if url is None and not socket_mode:
        raise DomainError("give --url (where Slack reaches c360), or --socket-mode", field="url")
    endpoint = events_url(url) if url is not None and not socket_mode else None
    found = _manifest(name, endpoint)
    found["settings"]["socket_mode_enabled"] = socket_mode
    return found


def _manifest(name: str, endpoint: str | None) -> dict[str, Any]:
    def at(entry: dict[str, Any], key: str) -> dict[str, Any]:
        return {**entry, key: endpoint} if endpoint else entry

    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Customer 360 for the sales desk: who to call, log calls, draft replies, alerts.",
            "long_description": (
                "c360 answers in DMs, when mentioned in a channel and with /c360: today's call list with "
                "reasons and offers, any customer's 360 view, calls logged in plain words, reply drafts that "
                "respect consent and quiet hours. It also speaks first: the assigned agent gets a DM when a "
                "customer becomes a VIP, a churn risk turns high, a ticket passes its SLA, a big cart is "
                "abandoned or a low rating arrives. Writes wait for an Approve click."),
            "background_color": "#1d4e89",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [at({
                "command": "/c360", "description": "Ask c360, privately",
                "usage_hint": "call list | 360 NAME | any question", "should_escape": False}, "url")],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": at({"bot_events": list(BOT_EVENTS)}, "request_url"),
            "interactivity": at({"is_enabled": True}, "request_url"),
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(url: str | None, name: str = "c360", *, socket_mode: bool = False) -> str:
    return yaml.safe_dump(manifest(url, name, socket_mode=socket_mode), sort_keys=False, allow_unicode=True,
                          width=100)
