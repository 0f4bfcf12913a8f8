"""Record an alert event when a condition starts to hold, in the caller's transaction.

``record_crossings`` compares what holds now (``conditions``) with the latches: a condition that
starts to hold sets its latch and records one event (at most one per customer, kind and business
day: the insert does nothing on conflict, so two writers racing on one customer record it once);
one that stops holding releases its latch, so a later crossing is news again. The event's outbox
rows (``outbox.enqueue``) go in with it: either all of it commits with the write, or none.

Until a kind has a baseline (the first evaluation over everybody, which the daily refresh runs at
``c360 serve`` start), crossings set latches silently: switching alerts on never announces every
VIP the business already had.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.alerts.conditions import CONDITIONS, Finding, Scope
from domain.alerts.outbox import enqueue
from domain.alerts.rules import AlertRules
from domain.days import business_tz
from domain.errors import DomainError
from domain.models.alerts import ALERT_KINDS, AlertBaseline, AlertEvent, AlertLatch

SOURCES = ("write", "refresh", "test")
CHUNK = 2000


def upsert(session: Session, model, rows: list[dict], *, update: Sequence[str] = (),
            conflict: Sequence[str], returning=None):
    """INSERT ... ON CONFLICT on SQLite and PostgreSQL (DO UPDATE ``update`` columns, or DO NOTHING)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the product runs on these two
        raise DomainError(f"alerts need SQLite or PostgreSQL, not {dialect}")
    stmt = insert(model)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=list(conflict),
                                          set_={name: stmt.excluded[name] for name in update})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if returning is not None:
        return session.execute(stmt.values(rows[0]).returning(returning)).scalar()
    for start in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[start:start + CHUNK])
    return None


def record_crossings(
    session: Session, customer_ids: Iterable[int] | None = None, *, today: date, now: datetime,
    tz: ZoneInfo | str | None = None, source: str = "write", rules: AlertRules | None = None,
) -> list[AlertEvent]:
    """Compare these customers' conditions (None = everybody) with their latches; record an event
    (and its deliveries) for each that started to hold. Returns the events recorded."""
    if source not in SOURCES:
        raise DomainError(f"unknown alert source {source!r}: use one of {', '.join(SOURCES)}", field="source")
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    if rules is None:
        from domain.settings import get_settings

        rules = AlertRules.from_settings(get_settings())
    ids = None if customer_ids is None else sorted({int(i) for i in customer_ids})
    if ids == [] or not rules.kinds:
        return []
    session.flush()
    scope = Scope(ids, today, now, business_tz(tz), rules)
    connection = session.connection()
    baselined = {kind for (kind,) in connection.execute(select(AlertBaseline.kind))}
    latched = _latches(connection, ids)
    events: list[AlertEvent] = []
    for kind in (k for k in ALERT_KINDS if k in rules.kinds):
        found = CONDITIONS[kind](session, scope)
        latches = latched.get(kind, {})
        started = sorted(key for key in found if not latches.get(key))
        stopped = sorted(key for key, active in latches.items() if active and key not in found)
        rows = [{"customer_id": c, "kind": kind, "subject": s, "active": True, "changed_at": now}
                for c, s in started]
        rows += [{"customer_id": c, "kind": kind, "subject": s, "active": False, "changed_at": now}
                 for c, s in stopped]
        if rows:
            upsert(session, AlertLatch, rows, update=("active", "changed_at"),
                    conflict=("customer_id", "kind", "subject"))
        if kind not in baselined:
            if ids is None:
                session.add(AlertBaseline(kind=kind, taken_at=now))
            continue
        for customer_id, subject in started:
            event = _record(session, customer_id, kind, subject, found[(customer_id, subject)],
                            scope, source)
            if event is not None:
                enqueue(session, event, rules, now)
                events.append(event)
    session.flush()
    return events


def _latches(connection, ids: list[int] | None) -> dict[str, dict[tuple[int, str], bool]]:
    """Every latch of these customers (None = everybody), by kind: one query whatever the kinds."""
    query = select(AlertLatch.kind, AlertLatch.customer_id, AlertLatch.subject, AlertLatch.active)
    found: dict[str, dict[tuple[int, str], bool]] = {}
    for start in range(0, len(ids), CHUNK) if ids is not None else [None]:
        chunk = query if start is None else query.where(AlertLatch.customer_id.in_(ids[start:start + CHUNK]))
        for kind, customer_id, subject, active in connection.execute(chunk):
            found.setdefault(kind, {})[(customer_id, subject)] = bool(active)
    return found


def _record(session: Session, customer_id: int, kind: str, subject: str, finding: Finding, scope: Scope,
            source: str) -> AlertEvent | None:
    event_id = upsert(session, AlertEvent, [{
        "customer_id": customer_id, "kind": kind, "day": scope.today, "subject": subject,
        "source": source, "reason": finding.reason, "facts": finding.facts, "occurred_at": scope.now,
    }], conflict=("customer_id", "kind", "day"), returning=AlertEvent.id)
    return session.get(AlertEvent, event_id) if event_id is not None else None
