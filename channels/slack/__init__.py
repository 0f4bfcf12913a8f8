"""The Slack channel: a Bolt ``AsyncApp`` mounted in the FastAPI app at ``POST /slack/events`` and,
with ``C360_SLACK_APP_TOKEN``, fed over Socket Mode too (the same listeners, dedupe and exactly-once).

``mount_slack(app, runtime)`` wires it to the server's agent, sessions and clock (``runtime`` is the
HTTP app's ``ServerRuntime``; anything with ``settings``, ``sessions``, ``clock`` and ``agent``
works). The server's lifespan then also runs the optional daily digest (``C360_DIGEST_AT``) and, on
shutdown, lets background work finish.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from domain.settings import Settings

PATH = "/slack/events"


def slack_configured(settings: Settings) -> bool:
    """The bot token and a way in: the signing secret (HTTP) or the app token (Socket Mode)."""
    return bool(settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token))


def mount_slack(app, runtime: Any, *, path: str = PATH):
    """Add ``POST {path}`` to the FastAPI ``app``; returns the ``SlackBridge`` (tests drain it)."""
    import logging
    import time

    from tools import telemetry

    from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

    from channels.slack.app import build_slack_app, socket_mode_handler, web_client
    from channels.slack.bridge import SlackBridge
    from channels.slack.digest import start_digest_schedule
    from channels.slack.guard import malformed
    from channels.slack.socket_link import SocketLink

    settings = runtime.settings
    bridge = SlackBridge(settings=settings, sessions=runtime.sessions, clock=runtime.clock, agent=runtime.agent,
                         client=web_client(settings))
    bolt = build_slack_app(bridge)
    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request):  # a plain Starlette endpoint: bolt reads the raw body itself
        started = time.perf_counter()
        refused = await malformed(request)  # what Bolt would turn into a 500 (channels.slack.guard)
        response = refused if refused is not None else await handler.handle(request)
        telemetry.slack_ack(response.status_code, time.perf_counter() - started)  # /metrics
        return response

    if settings.slack_signing_secret:  # HTTP: Slack posts to the public URL
        app.router.add_route(path, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack = bridge
    telemetry.watch_queue("slack_background", lambda: bridge.busy)  # /metrics: work after the ack

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        async with inner(application) as state:
            schedule = start_digest_schedule(bridge)
            socket = None
            if settings.slack_app_token:  # Socket Mode: c360 dials out to Slack, no public URL needed
                # in the background: a bad token or an unreachable Slack is logged and retried, and
                # the server starts anyway (GET /healthz shows the state)
                socket = SocketLink(socket_mode_handler(bolt, settings))
                application.state.slack_socket = socket
                socket.start()
            try:
                yield state
            finally:  # before the server's own shutdown closes the agent the work still uses
                if socket is not None:
                    await socket.close()
                if schedule is not None:
                    schedule.cancel()
                try:
                    await bridge.drain(timeout=10)
                except TimeoutError:
                    logging.getLogger("c360.slack").warning("Slack work still running at shutdown: %d task(s)",
                                                            bridge.busy)
                bridge.close()

    app.router.lifespan_context = lifespan
    return bridge
