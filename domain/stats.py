"""Per-customer aggregates (``customer_stats``) and the derived columns of ``customers``, kept
current.

Every write that touches orders, interactions or drop-offs calls ``refresh_stats`` and then
``refresh_derived`` for its customer inside its own transaction; a nightly (or on-demand) run
with no ids recomputes everybody, since temperature and lifecycle also move as days pass.
Both are set-based: one upsert and one select + one bulk update, whatever the number of customers.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Float, and_, case, cast, false, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from domain.days import (
    NEVER,
    business_tz,
    day_start,
    days_since_array,
    epoch_seconds,
)
from domain.models import (
    BehaviorEvent,
    Customer,
    CustomerStats,
    Dropoff,
    FollowUp,
    Interaction,
    Order,
)
from domain.models.base import UTCDateTime, utcnow
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS
from domain.settings import Settings, get_settings
from domain.scores import (
    HOT_WINDOW_DAYS,
    WARM_WINDOW_DAYS,
    customer_type_codes,
    lifecycle_codes,
    temperature_codes,
    vip_spend_for,
)

POSITIVE_OUTCOMES = ("interested", "purchased", "resolved")
ID_CHUNK = 5000  # keeps IN lists under every driver's bound-parameter limit


def _chunks(customer_ids: Iterable[int] | None) -> list[list[int] | None]:
    if customer_ids is None:
        return [None]
    ids = sorted({int(i) for i in customer_ids})
    return [ids[i:i + ID_CHUNK] for i in range(0, len(ids), ID_CHUNK)]


# ---------------------------------------------------------------------------------------- stats
def _stats_select(ids: list[int] | None, now: datetime):
    """One row per customer: the aggregates, from grouped subqueries joined to customers."""
    def only(query, column):
        return query.where(column.in_(ids)) if ids is not None else query

    o = only(select(
        Order.customer_id, func.count().label("n"), func.sum(Order.total_amount).label("spent"),
        func.min(Order.ordered_at).label("first"), func.max(Order.ordered_at).label("last"),
    ).where(Order.status == "completed"), Order.customer_id).group_by(Order.customer_id).subquery()
    i = only(select(
        Interaction.customer_id, func.count().label("n"),
        func.max(Interaction.occurred_at).label("last"),
        func.max(case((Interaction.direction == "inbound", Interaction.occurred_at)))
        .label("inbound"),
        func.max(case((Interaction.outcome.in_(POSITIVE_OUTCOMES), Interaction.occurred_at)))
        .label("positive"),
        func.max(case((Interaction.outcome == "not_interested", Interaction.occurred_at)))
        .label("not_interested"),
        func.max(case((Interaction.outcome == "complaint", Interaction.occurred_at)))
        .label("complaint"),
    ), Interaction.customer_id).group_by(Interaction.customer_id).subquery()
    f = only(select(FollowUp.customer_id, FollowUp.due_at).where(FollowUp.closed_at.is_(None)),
             FollowUp.customer_id).subquery()  # at most one open per customer
    d = only(select(
        Dropoff.customer_id, func.count().label("n"), func.sum(Dropoff.cart_value).label("value"),
        func.max(Dropoff.occurred_at).label("last"),
    ).where(Dropoff.recovered == false()), Dropoff.customer_id)
    d = d.group_by(Dropoff.customer_id).subquery()
    zero = literal(0)
    query = (
        select(
            Customer.id, func.coalesce(o.c.n, zero), func.coalesce(o.c.spent, zero), o.c.first,
            o.c.last, func.coalesce(i.c.n, zero), i.c.last, i.c.inbound, i.c.positive,
            f.c.due_at, func.coalesce(d.c.n, zero), func.coalesce(d.c.value, zero), d.c.last,
            i.c.not_interested, i.c.complaint, literal(now, UTCDateTime()),
        )
        .select_from(Customer)
        .outerjoin(o, o.c.customer_id == Customer.id)
        .outerjoin(i, i.c.customer_id == Customer.id)
        .outerjoin(f, f.c.customer_id == Customer.id)
        .outerjoin(d, d.c.customer_id == Customer.id)
    )
    # Always a WHERE: SQLite needs one between a joined SELECT and ON CONFLICT to parse the upsert.
    return query.where(Customer.id.in_(ids) if ids is not None else Customer.id.is_not(None))


STATS_COLUMNS = (
    "customer_id", "order_count", "total_spent", "first_order_at", "last_order_at",
    "interaction_count", "last_interaction_at", "last_inbound_at", "last_positive_at",
    "next_follow_up_at", "open_dropoff_count", "open_dropoff_value", "last_dropoff_at",
    "last_not_interested_at", "last_complaint_at", "updated_at",
)


def refresh_stats(
    session: Session, customer_ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> None:
    """Recompute ``customer_stats`` for these customers (None = everybody), inserting missing rows.

    Only completed orders count; the drop-off figures are over open (unrecovered) drop-offs;
    ``next_follow_up_at`` is the open follow-up's time (``domain.follow_ups``). ``now`` stamps updated_at.
    """
    session.flush()  # the aggregates must see the caller's pending rows
    now = now or utcnow()
    table = CustomerStats.__table__
    dialect = session.get_bind().dialect.name
    chunks = _chunks(customer_ids)  # materialized: a generator of ids is read once
    for ids in chunks:
        if ids == []:
            continue
        source = _stats_select(ids, now)
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as upsert
            else:
                from sqlalchemy.dialects.postgresql import insert as upsert
            stmt = upsert(table).from_select(STATS_COLUMNS, source)
            # Rewrite only rows whose figures moved: updated_at then says when they last changed.
            moved = or_(*[table.c[name].is_distinct_from(stmt.excluded[name])
                          for name in STATS_COLUMNS[1:-1]])
            stmt = stmt.on_conflict_do_update(
                index_elements=[table.c.customer_id],
                set_={name: stmt.excluded[name] for name in STATS_COLUMNS[1:]}, where=moved,
            )
            session.execute(stmt)
        else:  # any other engine: replace the rows
            target = table.delete()
            if ids is not None:
                target = target.where(table.c.customer_id.in_(ids))
            session.execute(target)
            session.execute(insert(table).from_select(STATS_COLUMNS, source))
    _expire(session, CustomerStats, None if customer_ids is None else
            [cid for ids in chunks for cid in ids], None)


def _expire(session: Session, model, customer_ids, attributes: Sequence[str] | None) -> None:
    """Core statements bypass the identity map: expire loaded copies so they reload."""
    wanted = None if customer_ids is None else {int(i) for i in customer_ids}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model):
            key = obj.customer_id if model is CustomerStats else obj.id
            if wanted is None or key in wanted:
                session.expire(obj, attributes)


# -------------------------------------------------------------------------------------- derived
def refresh_derived(
    session: Session, today: date, customer_ids: Iterable[int] | None = None, *,
    tz: ZoneInfo | str | None = None,
    monetary_thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
    rules: Settings | None = None,
) -> dict[int, dict[str, tuple[str, str]]]:
    """Recompute temperature, lifecycle stage (unless ``lifecycle_locked``) and customer type from
    customer_stats and recent behaviour (rules: ``domain.scores``); erased customers are left alone.
    Then the saved segments' membership of the same customers (``domain.segments``) and the stored
    call priority (``domain.call_priority.stored``): with no
    ids everybody's, for ``today``, under ``rules`` (default: the settings with this zone and
    these thresholds).

    Returns ``{customer_id: {"temperature": (before, after), ...}}`` for the values that changed.
    """
    session.flush()
    if customer_ids is not None:
        customer_ids = sorted({int(i) for i in customer_ids})  # read twice: here and for the scores
    zone = business_tz(tz)
    tomorrow = day_start(today + timedelta(days=1), zone)
    since_7, since_30 = (day_start(today - timedelta(days=n), zone)
                         for n in (HOT_WINDOW_DAYS, WARM_WINDOW_DAYS))
    vip_spend = vip_spend_for(monetary_thresholds)
    changes: dict[int, dict[str, tuple[str, str]]] = {}
    for ids in _chunks(customer_ids):
        if ids == []:
            continue
        # Core rows straight from the connection: the ORM result layer adds nothing here.
        rows = session.connection().execute(_derived_select(ids, since_7, since_30, tomorrow)).all()
        if rows:
            changes.update(_apply_rules(session, rows, today, zone, vip_spend))
    _expire(session, Customer, changes.keys(), ["temperature", "lifecycle_stage", "customer_type"])
    from domain.call_priority.stored import refresh_scores  # the call list reads what this wrote
    from domain.segments import refresh_members  # saved segments read the same columns

    refresh_members(session, today, customer_ids, tz=zone, thresholds=monetary_thresholds)

    if customer_ids is None:
        rules = rules or get_settings().model_copy(update={
            "timezone": zone.key, "rfm_monetary_thresholds": tuple(float(t) for t in monetary_thresholds)})
        refresh_scores(session, None, today=today, settings=rules)
    else:
        refresh_scores(session, customer_ids)
    return changes


def refresh_customer(
    session: Session, customer_id: int, today: date, *, now: datetime | None = None,
    tz: ZoneInfo | str | None = None,
    monetary_thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
) -> dict[str, tuple[str, str]]:
    """After a write that touched one customer, in the write's transaction: their aggregates, then
    their date-dependent scores as of ``today``. Returns what changed, e.g. {"temperature": (b, a)}."""
    refresh_stats(session, [customer_id], now=now)
    changes = refresh_derived(session, today, [customer_id], tz=tz, monetary_thresholds=monetary_thresholds)
    _record_alerts(session, customer_id, today, now=now, tz=tz, monetary_thresholds=monetary_thresholds)
    return changes.get(customer_id, {})


def _record_alerts(session: Session, customer_id: int, today: date, *, now, tz, monetary_thresholds) -> None:
    """Alert events for the thresholds this write moved the customer across (``domain.alerts``),
    in the write's transaction."""
    from domain.alerts import AlertRules, record_crossings  # here: alerts read what this module writes
    from domain.settings import get_settings

    rules = AlertRules.from_settings(get_settings(), monetary_thresholds=monetary_thresholds)
    record_crossings(session, [customer_id], today=today, now=now or utcnow(), tz=tz, source="write",
                     rules=rules)


def _derived_select(ids, since_7: datetime, since_30: datetime, tomorrow: datetime):
    b = BehaviorEvent
    recent = b.occurred_at >= since_7
    behaviour = select(
        b.customer_id,
        func.sum(case((and_(recent, b.type == "product_view"), b.count), else_=0)).label("views"),
        func.sum(case((and_(recent, b.type.in_(("add_to_cart", "wishlist"))), b.count), else_=0))
        .label("carts"),
        func.sum(b.count).label("events"),
    ).where(b.occurred_at >= since_30, b.occurred_at < tomorrow)
    if ids is not None:
        behaviour = behaviour.where(b.customer_id.in_(ids))
    behaviour = behaviour.group_by(b.customer_id).subquery()
    s = CustomerStats

    def epoch(column):
        return func.coalesce(epoch_seconds(column), NEVER)

    query = (
        select(
            Customer.id, Customer.temperature, Customer.lifecycle_stage, Customer.customer_type,
            Customer.lifecycle_locked,
            func.coalesce(s.order_count, 0), func.coalesce(cast(s.total_spent, Float), 0.0),
            epoch(s.last_order_at), func.coalesce(s.interaction_count, 0),
            epoch(s.last_positive_at), epoch(s.last_inbound_at), epoch(s.last_dropoff_at),
            func.coalesce(s.open_dropoff_count, 0),
            func.coalesce(behaviour.c.views, 0), func.coalesce(behaviour.c.carts, 0),
            func.coalesce(behaviour.c.events, 0),
        )
        .select_from(Customer)
        .outerjoin(s, s.customer_id == Customer.id)
        .outerjoin(behaviour, behaviour.c.customer_id == Customer.id)
        .where(Customer.status != "erased")
    )
    return query.where(Customer.id.in_(ids)) if ids is not None else query


def _apply_rules(session, rows, today, zone, vip_spend) -> dict[int, dict[str, tuple[str, str]]]:
    columns = list(zip(*rows))
    ids = np.array(columns[0], dtype=np.int64)
    before = {name: np.array(columns[k], dtype=object)
              for k, name in ((1, "temperature"), (2, "lifecycle_stage"), (3, "customer_type"))}
    locked = np.array(columns[4], dtype=bool)
    (orders, spent, last_order, interactions, positive, inbound, dropoff, open_dropoffs, views,
     carts, events) = (np.array(c, dtype=float) for c in columns[5:])
    order_days, positive_days, inbound_days, dropoff_days = (
        days_since_array(e, today, zone) for e in (last_order, positive, inbound, dropoff))
    after = {
        "temperature": temperature_codes(order_days, positive_days, views, carts, events,
                                         dropoff_days, inbound_days),
        "lifecycle_stage": np.where(
            locked, before["lifecycle_stage"],
            lifecycle_codes(orders, order_days, interactions, (events > 0) | (open_dropoffs > 0))),
        "customer_type": customer_type_codes(orders, spent, order_days, vip_spend),
    }
    after = {name: codes.astype(object) for name, codes in after.items()}
    changed = np.zeros(len(ids), dtype=bool)
    for name, codes in after.items():
        changed |= before[name] != codes
    changes: dict[int, dict[str, tuple[str, str]]] = {}
    by_values: dict[tuple[str, str, str], list[int]] = {}
    for k in np.flatnonzero(changed):
        cid = int(ids[k])
        changes[cid] = {name: (before[name][k], after[name][k])
                        for name in after if before[name][k] != after[name][k]}
        by_values.setdefault(tuple(after[name][k] for name in after), []).append(cid)
    # One UPDATE per distinct outcome (at most 3 x 6 x 4), not one per customer. updated_at is
    # kept: it says when the profile was edited, and derived scores are not edits.
    table = Customer.__table__
    for (temp, stage, kind), cids in by_values.items():
        for chunk in _chunks(cids):
            session.execute(update(table).where(table.c.id.in_(chunk)).values(
                temperature=temp, lifecycle_stage=stage, customer_type=kind, updated_at=table.c.updated_at))
    return changes
