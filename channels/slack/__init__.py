"""The Slack channel: a Bolt ``AsyncApp`` mounted in the FastAPI app at ``POST /slack/events``.

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
    """Both secrets are set: without them the Slack routes stay off."""
    return bool(settings.slack_bot_token and settings.slack_signing_secret)


def mount_slack(app, runtime: Any, *, path: str = PATH):
    """Add ``POST {path}`` to the FastAPI ``app``; returns the ``SlackBridge`` (tests drain it)."""
    import logging
    import time

    from tools import telemetry

    from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

    from channels.slack.app import build_slack_app, web_client
    from channels.slack.bridge import SlackBridge
    from channels.slack.digest import start_digest_schedule
    from channels.slack.guard import malformed

    settings = runtime.settings
    bridge = SlackBridge(settings=settings, sessions=runtime.sessions, clock=runtime.clock, agent=runtime.agent,
                         client=web_client(settings))
    handler = AsyncSlackRequestHandler(build_slack_app(bridge))

    async def slack_events(request):  # a plain Starlette endpoint: bolt reads the raw body itself
        started = time.perf_counter()
        refused = await malformed(request)  # what Bolt would turn into a 500 (channels.slack.guard)
        response = refused if refused is not None else await handler.handle(request)
        telemetry.slack_ack(response.status_code, time.perf_counter() - started)  # /metrics
        return response

    app.router.add_route(path, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack = bridge
    telemetry.watch_queue("slack_background", lambda: bridge.busy)  # /metrics: work after the ack

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        async with inner(application) as state:
            schedule = start_digest_schedule(bridge)
            try:
                yield state
            finally:  # before the server's own shutdown closes the agent the work still uses
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
