"""Who is acting, on which database, at what time: passed to every tool by the caller, never by the model."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from domain.enums import Role
from domain.settings import Settings


@dataclass(frozen=True)
class Actor:
    """The acting c360 user."""

    id: int
    name: str
    role: Role

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.manager, Role.admin)


@dataclass(frozen=True)
class ToolContext:
    sessions: sessionmaker[Session]
    actor: Actor
    clock: Clock
    settings: Settings
    request_id: str | None = None
    idempotency_key: str | None = (
        None  # set by the caller for writes (graph, Slack event, HTTP retry)
    )
    extras: dict = field(default_factory=dict)

    def with_key(self, key: str | None) -> "ToolContext":
        return replace(self, idempotency_key=key)
