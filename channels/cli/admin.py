"""Database administration commands."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, time, timedelta

import typer

from channels.cli import app
from channels.cli.runtime import runtime

log = logging.getLogger("c360.refresh")

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or upgrade the database schema (the server also does this on start)."""
    from domain.db import upgrade_schema

    settings = runtime().settings
    upgrade_schema(settings.resolved_database_url, revision)
    typer.echo(f"schema at {revision}: {settings.resolved_database_url}")


REFRESH_JOB = "refresh"


def refresh_scores(rt) -> int:
    """Recompute every customer's temperature, lifecycle stage and type as of today; returns how
    many changed. These depend on the date, not only on writes: a hot customer cools as days pass.
    The day is recorded as refreshed in the same transaction (``daily_runs``)."""
    from domain.db import transaction
    from domain.shared_locks import mark_day_done
    from domain.stats import refresh_derived

    today = rt.clock.today()
    with transaction(rt.sessions) as session:
        changes = refresh_derived(session, today, tz=rt.settings.tz,
                                  monetary_thresholds=rt.settings.rfm_monetary_thresholds,
                                  rules=rt.settings)  # and the stored call list, for today
        record_alerts(session, rt)
        mark_day_done(session, REFRESH_JOB, today)
    return len(changes)


def record_alerts(session, rt) -> int:
    """Alert events for thresholds the day's move crossed (churn rising, SLAs passing), in the
    refresh's transaction; the first run takes the baseline (``domain.alerts.crossings``)."""
    from domain.alerts import AlertRules, record_crossings

    events = record_crossings(session, None, today=rt.clock.today(), now=rt.clock.now(), tz=rt.settings.tz,
                              source="refresh", rules=AlertRules.from_settings(rt.settings))
    if events:
        log.info("daily refresh: %d alert events", len(events))
    return len(events)


def refresh_if_due(rt, leader) -> int | None:
    """Refresh when this process leads the refresh (``domain.shared_locks.Leadership``) and today's
    has not run in any process; the number of customers changed, or None when there was nothing to do."""
    from domain.shared_locks import day_done

    if not leader.held():
        return None
    with rt.sessions() as session:
        if day_done(session, REFRESH_JOB, rt.clock.today()):
            return None
    return refresh_scores(rt)


def start_daily_refresh(rt) -> threading.Thread:
    """Refresh the scores once a day, in a daemon thread (``c360 serve``): at start when today's has
    not run, then after each local midnight. With several server processes on PostgreSQL only the
    leader refreshes; the others ask every ``C360_LEADER_POLL_SECONDS`` and one takes over when the
    leader dies (``domain.shared_locks``)."""
    from domain.shared_locks import Leadership

    leader = Leadership(rt.engine, "c360.daily-refresh")

    def loop() -> None:
        while True:
            try:
                changed = refresh_if_due(rt, leader)
                if changed is not None:
                    log.info("daily refresh: %d customers changed temperature, stage or type", changed)
            except Exception:  # a failed refresh must not stop the server; the next poll retries
                log.exception("daily refresh failed")
            now = rt.clock.now()
            midnight = datetime.combine(now.date() + timedelta(days=1), time(0, 0, 5), tzinfo=now.tzinfo)
            pause.wait(max(1.0, min(rt.settings.leader_poll_seconds, (midnight - now).total_seconds())))

    pause = threading.Event()
    thread = threading.Thread(target=loop, name="c360-daily-refresh", daemon=True)
    thread.start()
    return thread


@app.command("refresh")
def refresh() -> None:
    """Recompute every customer's temperature, lifecycle stage and type as of today (for cron;
    `c360 serve` does it at start and after each local midnight)."""
    rt = runtime()
    typer.echo(f"{refresh_scores(rt):,} customers changed temperature, lifecycle stage or type")
