"""Socket Mode: c360 opens a websocket to Slack with the app-level token (``C360_SLACK_APP_TOKEN``,
``xapp-...``) and Slack sends events, slash commands and clicks over it, so a team can run c360 on
a laptop or behind a firewall with no public URL.

slack-bolt's websockets handler feeds each envelope to the same Bolt app as ``POST /slack/events``
(the same listeners, the same event dedupe, the same exactly-once writes) and acknowledges it with
its ``envelope_id`` once the listener has acked. ``apps.connections.open`` goes to
``C360_SLACK_API_URL`` like every other Web API call, so a local fake can stand in for Slack.
"""
from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.websockets import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from channels.slack.bridge import SlackBridge

log = logging.getLogger("c360.slack")


def socket_mode_handler(app: AsyncApp, bridge: SlackBridge, *,
                        check_only: bool = False) -> AsyncSocketModeHandler | None:
    """The Socket Mode handler for ``app`` (call it with an event loop running: its client starts
    tasks); ``check_only`` validates the token and builds nothing."""
    token = bridge.settings.slack_app_token
    if token is None or not token.get_secret_value().startswith("xapp-"):
        raise ValueError("C360_SLACK_APP_TOKEN must be the app-level token (xapp-...) with the "
                         "connections:write scope: Basic Information > App-Level Tokens")
    if check_only:
        return None
    return AsyncSocketModeHandler(app, app_token=token.get_secret_value(), web_client=bridge.client,
                                  logger=log)


async def connect(handler: AsyncSocketModeHandler) -> None:
    """Open the websocket; a refused token stops the start-up with what to fix."""
    try:
        await handler.connect_async()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise RuntimeError(f"Slack refused the Socket Mode connection ({error}): check C360_SLACK_APP_TOKEN "
                           "(an xapp-... token with connections:write) and that Socket Mode is on") from exc
    log.info("Slack is on over Socket Mode (no public URL needed)")
