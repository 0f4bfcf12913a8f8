"""What routes depend on, as ``Annotated`` aliases: the runtime, settings, the agent and the acting user."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException

from agent.runner import Agent
from channels.http.conversations import RateLimiter, ThreadLocks
from channels.http.errors import ApiError
from domain.clock import Clock
from domain.settings import Settings
from domain.users import authenticate
from tools.context import Actor, ToolContext
from tools.registry import call_tool
from tools.results import ToolError, ToolResult

UNAUTHORIZED = "missing, unknown or revoked API token: send Authorization: Bearer <token>"


@dataclass
class ServerRuntime:
    """What one server process holds: settings, database, clock, the agent; given to the Slack mount too."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    agent: Agent
    locks: ThreadLocks = field(default_factory=ThreadLocks)
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    slack_enabled: bool = False


def get_runtime(request: Request) -> ServerRuntime:
    return request.app.state.runtime


RuntimeDep = Annotated[ServerRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_agent(runtime: RuntimeDep) -> Agent:
    return runtime.agent


SettingsDep = Annotated[Settings, Depends(get_settings)]
AgentDep = Annotated[Agent, Depends(get_agent)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `c360 users add` or `c360 users token`")


def current_user(runtime: RuntimeDep,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    """The user the bearer token belongs to; 401 (one body for every reason) otherwise."""
    token = credentials.credentials if credentials is not None else None
    with runtime.sessions() as session:
        user = authenticate(session, token)
    if user is None:
        raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return Actor(id=user.id, name=user.name, role=user.role)


CurrentUser = Annotated[Actor, Depends(current_user)]


def run_read_tool(runtime: ServerRuntime, user: Actor, name: str, args: dict[str, Any],
                  request_id: str | None = None) -> ToolResult:
    """Run a read tool as ``user``; its error becomes the matching HTTP answer."""
    ctx = ToolContext(sessions=runtime.sessions, actor=user, clock=runtime.clock, settings=runtime.settings,
                      request_id=request_id)
    outcome = call_tool(name, {k: v for k, v in args.items() if v is not None}, ctx)
    if isinstance(outcome, ToolError):
        raise ApiError.from_tool(outcome)
    return outcome
