"""The call list kept current instead of recomputed: each customer's points for the day, stored.

``refresh_scores`` writes one ``call_priority_scores`` row per customer with the ranking's total
for the day in ``call_priority_days`` (computed by the same ``ranking.score`` the full ranking
uses, so the numbers are the same floats), the filters and eligibility copied from the customer,
and ``domain.rfm``'s fixed-band R, F and M. With no ids it scores everybody for ``today`` and
moves the day (the daily refresh); with ids it rescores those customers for the stored day, inside
the caller's transaction (every write that changes an input calls it for the customer it touched).

``top`` reads the first N of the rank index. The call list uses it only when the stored day is
today and the stored rules are the reader's (``is_current``), then rescores those N from their
own rows and checks the stored numbers against that; anything else computes from scratch.
"""
from __future__ import annotations

import time

from collections.abc import Iterable
from datetime import date

import numpy as np
from sqlalchemy import and_, case, delete, or_, select, text, true
from sqlalchemy.orm import Session

from domain.call_priority import scoring
from domain.call_priority.signals import do_not_call_ids, fetch_tuples, load_signals, same_city
from domain.models import CallPriorityDay, CallPriorityScore, Customer, CustomerStats
from domain.models.base import utcnow
from domain.rfm import fixed_score_columns, thresholds_text
from domain.settings import Settings, get_settings

ID_CHUNK = 5000  # keeps IN lists under every driver's bound-parameter limit
MARKER_ID = 1
COLUMNS = (
    "customer_id", "eligible", "status", "temperature", "lifecycle_stage", "assigned_to_id",
    "points", "value", "temperature_points", "dated_points", "rfm_r", "rfm_f", "rfm_m",
)


def rules_match(marker: CallPriorityDay | None, settings: Settings) -> bool:
    """Whether the stored rows were computed under ``settings``' rules (zone, bands, windows)."""
    return (
        marker is not None
        and marker.timezone == settings.tz.key
        and marker.monetary_thresholds == thresholds_text(settings.rfm_monetary_thresholds)
        and marker.follow_up_lapse_days == settings.follow_up_lapse_days
        and marker.negative_outcome_days == settings.negative_outcome_days
    )


def stored_day(session: Session) -> CallPriorityDay | None:
    """The stored day as the database has it now (not a copy the session loaded earlier)."""
    return session.get(CallPriorityDay, MARKER_ID, populate_existing=True)


def _lock(session: Session, *, everybody: bool) -> None:
    """PostgreSQL: a full refresh excludes the writers' rescoring until it commits (SHARE ROW
    EXCLUSIVE conflicts with ROW EXCLUSIVE), so a write can neither be overwritten by the refresh's
    older reading nor score the old day into the new table; writers do not block each other.
    SQLite serialises whole write transactions already."""
    if session.get_bind().dialect.name == "postgresql":
        mode = "SHARE ROW EXCLUSIVE" if everybody else "ROW EXCLUSIVE"
        session.execute(text(f"LOCK TABLE call_priority_scores IN {mode} MODE"))


def is_current(session: Session, today: date, settings: Settings) -> bool:
    """True when the stored rows are ``today``'s under ``settings``' rules."""
    marker = stored_day(session)
    return marker is not None and marker.day == today and rules_match(marker, settings)


def _marker_rules(marker: CallPriorityDay, base: Settings) -> Settings:
    """``base`` with the rules the stored rows were computed under, so a write's refresh matches them."""
    thresholds = tuple(float(t) for t in marker.monetary_thresholds.split(","))
    return base.model_copy(update={
        "timezone": marker.timezone, "rfm_monetary_thresholds": thresholds,
        "follow_up_lapse_days": marker.follow_up_lapse_days,
        "negative_outcome_days": marker.negative_outcome_days,
    })


def _chunks(customer_ids: Iterable[int] | None) -> list[list[int] | None]:
    if customer_ids is None:
        return [None]
    ids = sorted({int(i) for i in customer_ids})
    return [ids[i:i + ID_CHUNK] for i in range(0, len(ids), ID_CHUNK)]


def refresh_scores(
    session: Session, customer_ids: Iterable[int] | None = None, *, today: date | None = None,
    settings: Settings | None = None, timings: dict[str, float] | None = None,
) -> int:
    """Recompute the stored call priority of these customers (None: everybody, for ``today``).

    With ids, the rows are rescored for the stored day under the stored rules; before the first
    full refresh there is nothing to keep current and nothing is written. Returns rows written.
    ``timings``, when given, gets the seconds spent in each stage added to it (``c360 bench
    refresh`` prints them).
    """
    from domain.call_priority.ranking import score  # ranking imports this module's readers

    session.flush()  # the scores must see the caller's pending rows
    if customer_ids is not None:
        customer_ids = sorted({int(i) for i in customer_ids})
        if not customer_ids:
            return 0
    settings = settings or get_settings()
    _lock(session, everybody=customer_ids is None)  # before the day and the signals are read
    marker = stored_day(session)
    if customer_ids is None:
        if today is None:
            raise ValueError("a full refresh of the stored call priority needs the day")
        day = today
    else:
        if marker is None:
            return 0
        day, settings = marker.day, _marker_rules(marker, settings)
    written = 0
    clock = _StageClock(timings)
    for ids in _chunks(customer_ids):
        if ids == []:
            continue
        where = Customer.id.in_(ids) if ids is not None else Customer.id.is_not(None)
        signals = clock.run("read signals", load_signals, session, where)
        ranking = clock.run("score", score, session, signals, day, settings, customer_ids=ids)
        rows = clock.run("flags, RFM and rows", _rows, session, ids, ranking, day, settings)
        clock.run("write (upsert)", _upsert, session, rows)
        written += len(rows)
    if customer_ids is None:
        clock.run("move the day marker", _move_day, session, marker, day, settings, written)
    return written


class _StageClock:
    """Adds each stage's seconds to ``timings`` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def run(self, stage: str, fn, *args, **kwargs):
        if self.timings is None:
            return fn(*args, **kwargs)
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - began


def _rows(session: Session, ids: list[int] | None, ranking, day: date, settings: Settings) -> list[dict]:
    """One dict per customer of ``ids`` (None: all), in id order, ready for the upsert."""
    c = Customer
    flags = select(
        c.id,
        case((and_(c.status == "active", c.erased_at.is_(None),
                   c.id.not_in(do_not_call_ids())), 1), else_=0),
        c.status, c.temperature, c.lifecycle_stage, c.assigned_to_id,
    ).where(c.id.in_(ids) if ids is not None else true()).order_by(c.id)
    people = fetch_tuples(session, flags)
    # typed binds (the band's datetimes): through SQLAlchemy's result layer, not fetch_tuples
    rfm = {row[0]: row[1:] for row in session.connection().execute(_rfm_select(ids, day, settings))}
    signals, points, total = ranking.signals, ranking.points, ranking.total
    if len(people) != len(signals) or not np.array_equal(signals.ids, [p[0] for p in people]):
        raise RuntimeError("customers changed between two reads of one refresh")  # same transaction
    value = np.nan_to_num(signals.total_spent)
    temperature = points["temperature"]
    dated = sum(points[name] for name in scoring.FACTORS if name != "temperature") if len(signals) else total
    rows = []
    for k, (cid, eligible, status, temp, stage, assigned) in enumerate(people):
        r, f, m = rfm.get(cid, (0, 0, 0))
        rows.append({
            "customer_id": int(cid), "eligible": bool(eligible), "status": status, "temperature": temp,
            "lifecycle_stage": stage, "assigned_to_id": assigned, "points": float(total[k]),
            "value": float(value[k]), "temperature_points": float(temperature[k]),
            "dated_points": float(dated[k]), "rfm_r": int(r), "rfm_f": int(f), "rfm_m": int(m),
        })
    return rows


def _rfm_select(ids: list[int] | None, day: date, settings: Settings):
    """R, F, M of the buying, non-erased customers, with the very expressions ``domain.rfm`` uses."""
    s = CustomerStats
    r, f, m = fixed_score_columns(day, settings.tz, settings.rfm_monetary_thresholds)
    query = (select(s.customer_id, r, f, m).join(Customer, Customer.id == s.customer_id)
             .where(s.order_count > 0, Customer.status != "erased"))
    return query.where(s.customer_id.in_(ids)) if ids is not None else query


def _upsert(session: Session, rows: list[dict]) -> None:
    """Insert the rows, or rewrite the stored ones whose figures moved (unchanged rows stay put)."""
    if not rows:
        return
    table = CallPriorityScore.__table__
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):  # any other engine: replace the rows
        ids = [row["customer_id"] for row in rows]
        session.execute(delete(table).where(table.c.customer_id.in_(ids)))
        session.execute(table.insert(), rows)
        return
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:
        from sqlalchemy.dialects.postgresql import insert as upsert
    stmt = upsert(table)
    moved = or_(*[table.c[name].is_distinct_from(stmt.excluded[name]) for name in COLUMNS[1:]])
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.customer_id],
        set_={name: stmt.excluded[name] for name in COLUMNS[1:]}, where=moved,
    )
    for start in range(0, len(rows), ID_CHUNK):
        session.execute(stmt, rows[start:start + ID_CHUNK])


def _move_day(session: Session, marker: CallPriorityDay | None, day: date, settings: Settings,
              customers: int) -> None:
    values = {"day": day, "timezone": settings.tz.key,
              "monetary_thresholds": thresholds_text(settings.rfm_monetary_thresholds),
              "follow_up_lapse_days": settings.follow_up_lapse_days,
              "negative_outcome_days": settings.negative_outcome_days,
              "customers": customers, "refreshed_at": utcnow()}
    if marker is None:
        session.add(CallPriorityDay(id=MARKER_ID, **values))
    else:
        for key, value in values.items():
            setattr(marker, key, value)
    session.flush()


def top(
    session: Session, limit: int, *, temperature: str | None = None,
    lifecycle_stage: str | None = None, assigned_to_id: int | None = None, city: str | None = None,
) -> list[tuple[int, float]]:
    """(customer id, points) of the first ``limit`` eligible customers by the stored ranking."""
    query = top_query(limit, temperature=temperature, lifecycle_stage=lifecycle_stage,
                      assigned_to_id=assigned_to_id, city=city)
    return [(int(cid), float(points)) for cid, points in session.execute(query)]


def top_query(limit: int, *, temperature: str | None = None, lifecycle_stage: str | None = None,
              assigned_to_id: int | None = None, city: str | None = None):
    """The read of the rank index: in its order, filtered, stopping at ``limit`` (no sort)."""
    t = CallPriorityScore
    query = select(t.customer_id, t.points).where(t.eligible == true())
    if city is not None:  # the city is the customer's own: not stored with the scores
        query = query.join(Customer, Customer.id == t.customer_id).where(same_city(city))
    if temperature is not None:
        query = query.where(t.temperature == temperature)
    if lifecycle_stage is not None:
        query = query.where(t.lifecycle_stage == lifecycle_stage)
    if assigned_to_id is not None:
        query = query.where(t.assigned_to_id == assigned_to_id)
    return query.order_by(t.points.desc(), t.value.desc(), t.customer_id).limit(limit)


def agrees(ranking, stored: list[tuple[int, float]]) -> bool:
    """Whether the rescored customers come out in the stored order with the stored points."""
    ids = ranking.signals.ids[ranking.order]
    if len(ids) != len(stored):
        return False
    return all(int(i) == cid and float(ranking.total[pos]) == points
               for i, pos, (cid, points) in zip(ids, ranking.order, stored))
