"""The FastAPI application: ``create_app(settings, agent=...)`` wires routes, errors, the agent and Slack.

Slack is mounted only when both ``C360_SLACK_BOT_TOKEN`` and ``C360_SLACK_SIGNING_SECRET`` are set:
``channels.slack.mount_slack(app, runtime)`` adds ``/slack/events``. Otherwise the server says at
start that Slack is off.
"""
from __future__ import annotations

import importlib
import logging
import re
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from agent.runner import Agent
from channels.http import calls, chat, customers, errors, health, metrics, privacy, records, segments, web
from channels.http.conversations import RateLimiter, ThreadLocks
from channels.http.deps import ServerRuntime
from channels.http.limits import BodyLimit
from channels.mcp.http import McpEndpoint
from domain.clock import Clock
from domain.db import make_engine, session_factory
from domain.logs import bind_ids, new_request_id, release_ids
from domain.settings import Settings, get_settings

log = logging.getLogger("c360.http")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

DESCRIPTION = """c360's HTTP API: chat with the assistant (`POST /chat`, streamed: `POST /chat/stream`),
approve or cancel its writes (`POST /chat/{thread_id}/decision`), and read customers, the call list
and RFM directly. Every endpoint but `/healthz`, `/metrics`, `/` and `/demo-token` needs
`Authorization: Bearer <token>` (`c360 users add NAME --role agent` prints one)."""


def create_app(settings: Settings | None = None, *, agent: Agent | None = None) -> FastAPI:
    """The app. With ``agent`` given, its settings, sessions and clock are used (tests, one process
    serving several channels); otherwise they come from ``settings`` (default: the environment).
    The schema is not upgraded here: ``c360 serve`` does that before it starts the server."""
    if agent is not None:
        settings, sessions, clock = agent.settings, agent.sessions, agent.clock
        engine = sessions.kw["bind"]
        owns_agent = False
    else:
        settings = settings or get_settings()
        engine = make_engine(settings.resolved_database_url)
        sessions, clock = session_factory(engine), Clock.from_settings(settings)
        agent = Agent(settings, sessions, clock)
        owns_agent = True

    runtime = ServerRuntime(settings=settings, engine=engine, sessions=sessions, clock=clock, agent=agent,
                            locks=ThreadLocks(engine),
                            limiter=RateLimiter(settings.chat_rate_limit_per_minute, engine))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runtime.locks.close()
        if owns_agent:
            agent.close()
            engine.dispose()

    # /docs (Swagger UI) and /redoc load their scripts from files installed with fastapi-offline, not a CDN
    app = FastAPIOffline(title="c360", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                         static_url="/docs-static", swagger_ui_parameters={"validatorUrl": None})
    app.state.runtime = runtime

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        # every log line a request causes carries its id; a caller's well-formed id is kept
        given = request.headers.get("x-request-id", "")
        rid = given if _REQUEST_ID.fullmatch(given) else new_request_id()
        ids = bind_ids(request_id=rid)
        try:
            response = await call_next(request)
        finally:
            release_ids(ids)
        response.headers["X-Request-ID"] = rid
        return response
    errors.install(app)
    for module in (health, metrics, chat, customers, records, segments, privacy, calls, web):
        app.include_router(module.router)
    app.add_route("/mcp", McpEndpoint(runtime), include_in_schema=False)  # MCP clients (docs/mcp.md)
    static = resources.files("channels.http").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    runtime.slack_enabled = _mount_slack(app, runtime)
    # outermost: no body is read past its limit, whoever sends it (before authentication)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes,
                       per_path={"/slack/": settings.slack_max_request_bytes})
    if settings.demo_mode:
        log.warning("demo mode is on: GET /demo-token gives loopback clients a token for the Demo Agent user; "
                    "never use demo mode on a server others can reach")
    return app


def _mount_slack(app: FastAPI, runtime: ServerRuntime) -> bool:
    settings = runtime.settings
    if not (settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token)):
        log.info("Slack is off: set C360_SLACK_BOT_TOKEN and C360_SLACK_SIGNING_SECRET (or C360_SLACK_APP_TOKEN "
                 "for Socket Mode) to turn it on")
        return False
    try:
        slack = importlib.import_module("channels.slack")  # lazily: slack-bolt is only loaded when used
    except ModuleNotFoundError as exc:
        if exc.name not in ("channels.slack",):
            raise
        log.warning("Slack is configured but this build has no Slack channel (channels.slack); Slack is off")
        return False
    slack.mount_slack(app, runtime)
    if settings.slack_signing_secret:
        log.info("Slack is on: events at /slack/events")
    if settings.slack_app_token:
        log.info("Slack Socket Mode connects when the server starts")
    return True
