"""Tool-test fixtures: a ``ToolContext`` for a given acting user on the test database.

``make_ctx("Rina Akter")`` creates (or reuses) that user as an agent and returns a context with
the fixed test clock and default settings; ``role=``, ``key=`` (idempotency key) and any setting
(``agents_see_all_customers=False``) can be given. ``build`` runs a world builder in a committed
transaction and returns what it returns.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from domain.enums import Role
from domain.models import AuditLog, User
from domain.settings import Settings
from tools.context import Actor, ToolContext
from tools.registry import call_tool, load_tools


def tool_settings(**overrides: Any) -> Settings:
    """Default settings, ignoring any ``.env`` and ``C360_`` variables of the machine."""
    base = {"timezone": "Asia/Dhaka", "rfm_monetary_thresholds": (5000, 2500, 1000, 500)}
    return Settings(_env_file=None, **{**base, **overrides})


@pytest.fixture
def make_ctx(sessions, clock) -> Callable[..., ToolContext]:
    load_tools()

    def make(
        name: str = "Rina Akter", *, role: str = "agent", key: str | None = None, **settings: Any
    ) -> ToolContext:
        with sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                user = User(name=name, role=role)
                session.add(user)
                session.flush()
            actor = Actor(id=user.id, name=user.name, role=Role(user.role))
        return ToolContext(
            sessions=sessions,
            actor=actor,
            clock=clock,
            settings=tool_settings(**settings),
            request_id="test",
            idempotency_key=key,
        )

    return make


@pytest.fixture
def build(sessions):
    """``build(fn)`` runs ``fn(session)`` in a committed transaction and returns its result."""

    def run(fn):
        with sessions.begin() as session:
            return fn(session)

    return run


@pytest.fixture
def count(sessions):
    """``count(Model, *where)``: rows in a table, read in a fresh session."""

    def rows(model, *where) -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))

    return rows


def call(name: str, args: dict, ctx: ToolContext):
    """Run a tool as the agent would."""
    return call_tool(name, args, ctx)


def audit_rows(sessions, action: str | None = None) -> list[AuditLog]:
    with sessions() as session:
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(session.scalars(query))
