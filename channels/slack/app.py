"""The Bolt app: an ``AsyncApp`` whose built-in middleware verifies every request's signature and
rejects timestamps older than five minutes (401), answers ``url_verification``, and ignores the
bot's own events; the listeners (``channels.slack.listeners``) acknowledge and hand work off."""
from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack.bridge import SlackBridge
from channels.slack.listeners import register_all
from domain.settings import Settings

log = logging.getLogger("c360.slack")


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, pointed at ``C360_SLACK_API_URL`` (Slack's, or a local fake in tests)."""
    if not settings.slack_bot_token:  # unset or empty
        raise ValueError("C360_SLACK_BOT_TOKEN is not set: the Slack app needs the bot token (xoxb-...)")
    base = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=base)


def build_slack_app(bridge: SlackBridge) -> AsyncApp:
    """The Bolt app for ``bridge``'s workspace, with every listener registered. Over HTTP every request
    is verified with the signing secret; in Socket Mode (``C360_SLACK_APP_TOKEN``) requests come over
    the app's own authenticated websocket, and Bolt skips that check."""
    secret = bridge.settings.slack_signing_secret
    if secret is None and bridge.settings.slack_app_token is None:
        raise ValueError("C360_SLACK_SIGNING_SECRET is not set: without it no Slack request can be verified "
                         "(or set C360_SLACK_APP_TOKEN for Socket Mode)")
    app = AsyncApp(
        signing_secret=secret.get_secret_value() if secret is not None else "",
        client=bridge.client,  # carries the bot token and the API base URL
        logger=log,
        process_before_response=False,  # answer Slack first, work afterwards
        request_verification_enabled=True,
    )
    register_all(app, bridge)
    return app


def socket_mode_handler(app: AsyncApp, settings: Settings):
    """slack-bolt's Socket Mode handler for ``app``: the same listeners, fed from the websocket that
    ``apps.connections.open`` (called with the app token, through ``app.client``) hands out."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    return AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value(), logger=log)
