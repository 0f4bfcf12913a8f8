"""Sending one claimed delivery: a Slack card (DM or channel) or a signed webhook POST.

Each sender returns an ``Outcome`` instead of raising: the worker records it, and the outbox
decides between done, retry later (with backoff) and failed for good (``permanent``).
"""
from __future__ import annotations

import json
from datetime import datetime

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from channels.alerts.cards import alert_blocks, alert_text
from domain.alerts.outbox import Claimed, Outcome
from domain.alerts.signing import EVENT_HEADER, IDEMPOTENCY_HEADER, signed_headers

# Slack errors that no retry can fix: the destination or the app's access is wrong.
PERMANENT_SLACK_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "token_revoked",
    "user_not_found", "users_not_found", "user_disabled", "cannot_dm_bot", "invalid_blocks", "msg_too_long",
    "missing_scope", "not_authed", "restricted_action",
})
RETRYABLE_HTTP = frozenset({408, 425, 429})


def slack_client(token: str, api_url: str, timeout: float = 30.0) -> WebClient:
    """Slack's own client; a 429 is waited out in place (Retry-After), twice at most."""
    client = WebClient(token=token, base_url=api_url, timeout=int(timeout))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


class SlackSender:
    def __init__(self, client: WebClient, currency: str = "BDT") -> None:
        self.client, self.currency = client, currency

    def __call__(self, claimed: Claimed, started: datetime) -> Outcome:
        channel = claimed.destination
        try:
            if channel[:1] in ("U", "W"):  # a person: their DM with the app
                channel = self.client.conversations_open(users=channel)["channel"]["id"]
            answer = self.client.chat_postMessage(channel=channel, text=alert_text(claimed.document),
                                                  blocks=alert_blocks(claimed.document, self.currency),
                                                  unfurl_links=False)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "slack_error")
            return Outcome(False, started, exc.response.status_code, error=f"Slack said {error}",
                           permanent=error in PERMANENT_SLACK_ERRORS)
        except (SlackRequestError, OSError) as exc:  # timeouts, refused connections
            return Outcome(False, started, error=f"Slack unreachable: {exc}")
        return Outcome(True, started, 200, remote_ref=f"{answer.get('channel')}:{answer.get('ts')}"[:64])


class WebhookSender:
    def __init__(self, client: httpx.Client, secret: str) -> None:
        self.client, self.secret = client, secret

    def __call__(self, claimed: Claimed, started: datetime) -> Outcome:
        body = json.dumps({**claimed.document, "delivery": claimed.key}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "c360-alerts/1",
                   IDEMPOTENCY_HEADER: claimed.key, EVENT_HEADER: claimed.document["type"],
                   **signed_headers(self.secret, body)}
        try:
            response = self.client.post(claimed.destination, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, started, error=f"{type(exc).__name__}: {exc}"[:500])
        code = response.status_code
        if 200 <= code < 300:
            return Outcome(True, started, code, remote_ref=str(code))
        permanent = 400 <= code < 500 and code not in RETRYABLE_HTTP
        return Outcome(False, started, code, error=f"HTTP {code}: {response.text[:300]}", permanent=permanent)
