"""The benchmark's world: N demo customers on a frozen date, built once and reused between runs.

The clock is frozen (``BENCH_NOW``) so a reused database keeps meaning the same thing: the demo
history ends on that date, and every rule the benchmark times sees the same "today".
"""
from __future__ import annotations

import time as timer
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from domain.call_priority import stored
from domain.clock import Clock
from domain.clv.business import fit_from_orders, latest_clv_model
from domain.db import make_engine, read_session, session_factory, transaction, upgrade_schema
from domain.demo import build_demo_world
from domain.enums import Role
from domain.errors import DomainError
from domain.models import Customer, Interaction, Order, User
from domain.settings import Settings
from domain.users import create_user
from tools.context import Actor

BENCH_NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))
BENCH_USER = "Bench Manager"
BENCH_SLACK_ID = "UC360BENCH"


def bench_database_url(settings: Settings, customers: int) -> str:
    """The benchmark's own SQLite file for ``customers``: ``<data_dir>/bench/c360-<N>.db``."""
    path = (settings.data_dir / "bench" / f"c360-{customers}.db").resolve()
    return f"sqlite:///{path}"


def bench_settings(base: Settings, database_url: str, **overrides) -> Settings:
    """``base`` pointed at the bench database, with a frozen clock, the offline model and no chat limit."""
    values = {"database_url": database_url, "now": BENCH_NOW, "timezone": "Asia/Dhaka", "llm_backend": "offline",
              "llm_base_url": None, "llm_api_key": None, "chat_rate_limit_per_minute": 0, "digest_at": None,
              "rfm_monetary_thresholds": (5000, 2500, 1000, 500)}
    values.update(overrides)
    return base.model_copy(update=values)


@dataclass
class World:
    """An open bench database and what it holds."""

    settings: Settings
    engine: Engine
    clock: Clock
    customers: int
    orders: int
    interactions: int
    built: bool  # True when this run (re)built it
    build_seconds: float | None
    clv_model: dict  # the stored CLV fit the 360 view reads: {id, method, fitted_now, seconds}
    stored_scores: dict  # the stored call priority: {refreshed_now, seconds, rows, vacuum_analyze_seconds}

    @property
    def sessions(self):
        return session_factory(self.engine)

    @property
    def database_url(self) -> str:
        return self.settings.resolved_database_url

    @property
    def sqlite_path(self) -> Path | None:
        url = make_url(self.database_url)
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _counts(engine: Engine) -> tuple[int, int, int]:
    with read_session(session_factory(engine)) as session:
        return tuple(int(session.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (Customer, Order, Interaction))


def open_world(settings: Settings, customers: int, *, seed: int = 42, rebuild: bool = False,
               own_database: bool = True, orders_per_customer: float = 10.0,
               interactions_per_customer: float = 10.0,
               on_progress: Callable[[str, int, int], None] | None = None) -> World:
    """Reuse the database when it holds exactly ``customers`` customers, else build the demo world.

    A database that is not the benchmark's own (``own_database`` False: a ``--db`` the user gave)
    is only wiped with ``rebuild``; otherwise a mismatch is an error, so a bench never empties a
    real database by surprise.
    """
    if customers < 1:
        raise DomainError("customers must be at least 1", field="customers")
    url = settings.resolved_database_url
    upgrade_schema(url)
    engine = make_engine(url)
    clock = Clock.from_settings(settings)
    have, _, _ = _counts(engine)
    built, seconds = False, None
    if rebuild or have != customers:
        if have and not rebuild and not own_database:
            engine.dispose()
            raise DomainError(f"{url} holds {have:,} customers, not {customers:,}: pass --rebuild to wipe it "
                              "and build the benchmark world there, or leave out --db", field="db")
        began = timer.perf_counter()
        build_demo_world(engine, clock=clock, customers=customers, seed=seed,
                         orders_per_customer=orders_per_customer,
                         interactions_per_customer=interactions_per_customer,
                         replace=bool(have), on_progress=on_progress)
        built, seconds = True, timer.perf_counter() - began
    n_customers, n_orders, n_interactions = _counts(engine)
    clv = _stored_clv_model(engine, clock, settings)
    scores = _current_scores(engine, clock, settings)
    if engine.dialect.name == "postgresql" and (built or scores["refreshed_now"]):
        scores["vacuum_analyze_seconds"] = vacuum_analyze(engine)
    return World(settings, engine, clock, n_customers, n_orders, n_interactions, built, seconds, clv, scores)


def _current_scores(engine: Engine, clock: Clock, settings: Settings) -> dict:
    """The stored call priority for the bench's today, as the server's daily refresh leaves it (a
    world built by an older version, or for another day, is refreshed once here)."""
    with transaction(session_factory(engine)) as session:
        if stored.is_current(session, clock.today(), settings):
            return {"refreshed_now": False, "seconds": None}
        began = timer.perf_counter()
        rows = stored.refresh_scores(session, None, today=clock.today(), settings=settings)
        return {"refreshed_now": True, "seconds": round(timer.perf_counter() - began, 3), "rows": rows}


def vacuum_analyze(engine: Engine, table: str | None = None) -> float:
    """PostgreSQL after a bulk load (or ``table`` after bulk writes): planner statistics and the
    visibility map (index-only scans), as autovacuum would leave them some minutes later. Returns
    the seconds it took."""
    began = timer.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'VACUUM ANALYZE "{table}"' if table else "VACUUM ANALYZE")
    return round(timer.perf_counter() - began, 3)


def _stored_clv_model(engine: Engine, clock: Clock, settings: Settings) -> dict:
    """The CLV model a deployed shop has stored (`c360 clv fit`), fitted once when the world has none.

    Without a stored model the 360 view of a small shop fits one on every call, which would make a
    small benchmark world measure the CLV fit instead of the 360 read.
    """
    with transaction(session_factory(engine)) as session:
        model, fitted_now, began = latest_clv_model(session), False, timer.perf_counter()
        if model is None:
            model = fit_from_orders(session, clock.today(), tz=settings.tz, currency=settings.currency, store=True)
            fitted_now = True
        return {"id": model.id, "method": model.method, "fitted_now": fitted_now,
                "seconds": round(timer.perf_counter() - began, 3) if fitted_now else None}


def bench_actor(world: World) -> Actor:
    """The manager every measurement acts as (created once; linked to a Slack id for the Slack row)."""
    with transaction(world.sessions) as session:
        user = session.scalar(select(User).where(User.name == BENCH_USER))
        if user is None:
            info = create_user(session, BENCH_USER, Role.manager.value, slack_user_id=BENCH_SLACK_ID,
                               now=world.clock.now())
            return Actor(info.id, info.name, info.role)
        return Actor(user.id, user.name, Role(user.role))
