"""The recent records the insight rules read, for any number of customers in seven queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import (
    Float,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from domain.models import (
    BehaviorEvent,
    Customer,
    CustomerStats,
    Dropoff,
    Interaction,
    Opportunity,
    Order,
    SupportTicket,
)

LATEST_ORDERS = 20
EVIDENCE_TOUCHES = 10


@cache
def statements() -> dict:
    """Built once: constructing SQLAlchemy statements costs more than running these small ones."""
    ids = bindparam("ids", expanding=True)
    i, b, o, d, t, s = (
        Interaction,
        BehaviorEvent,
        Opportunity,
        Dropoff,
        SupportTicket,
        CustomerStats,
    )
    ranked = (
        select(
            Order.customer_id,
            Order.id,
            Order.ordered_at,
            cast(Order.total_amount, Float).label("amount"),
            func.row_number()
            .over(
                partition_by=Order.customer_id, order_by=(Order.ordered_at.desc(), Order.id.desc())
            )
            .label("n"),
        )
        .where(Order.customer_id.in_(ids), Order.status == "completed")
        .subquery()
    )
    # customer-side touches: behaviour, inbound messages, answered contacts (complaints included)
    answered = or_(i.direction == "inbound", and_(i.outcome.is_not(None), i.outcome != "no_answer"))
    touches = union_all(
        select(
            i.customer_id,
            literal("interactions").label("source"),
            i.id,
            i.occurred_at.label("at"),
            i.direction,
            i.outcome,
        ).where(i.customer_id.in_(ids), i.occurred_at >= bindparam("since"), answered),
        select(
            b.customer_id, literal("behavior_events"), b.id, b.occurred_at, null(), null()
        ).where(b.customer_id.in_(ids), b.occurred_at >= bindparam("since")),
    ).subquery()
    at = touches.c.at

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    latest_touches = select(
        touches,
        func.row_number()
        .over(partition_by=touches.c.customer_id, order_by=(at.desc(), touches.c.id.desc()))
        .label("n"),
    ).subquery()
    week = bindparam("week", type_=i.occurred_at.type)
    return {
        "touch_counts": select(
            touches.c.customer_id,
            count_if(at >= bindparam("recent", type_=i.occurred_at.type)),
            func.count(),
            count_if((at >= week) & (touches.c.source == "behavior_events")),
            count_if((at >= week) & (touches.c.outcome == "complaint")),
            count_if(
                (at >= week)
                & (touches.c.direction == "inbound")
                & touches.c.outcome.is_distinct_from("complaint")
            ),
        ).group_by(touches.c.customer_id),
        "touches": select(latest_touches).where(latest_touches.c.n <= EVIDENCE_TOUCHES),
        "customers": select(
            Customer.id,
            Customer.customer_type,
            s.order_count,
            cast(s.total_spent, Float),
            s.first_order_at,
            s.last_order_at,
        )
        .outerjoin(s, s.customer_id == Customer.id)
        .where(Customer.id.in_(ids)),
        "orders": select(ranked).where(ranked.c.n <= LATEST_ORDERS),
        # one customer: walk the (customer_id, time) indexes backwards instead of ranking everything
        "orders_one": select(
            Order.customer_id,
            Order.id,
            Order.ordered_at,
            cast(Order.total_amount, Float),
            literal(0),
        )
        .where(Order.customer_id == bindparam("cid"), Order.status == "completed")
        .order_by(Order.ordered_at.desc(), Order.id.desc())
        .limit(LATEST_ORDERS),
        "interactions_one": select(
            i.customer_id,
            literal("interactions"),
            i.id,
            i.occurred_at,
            i.direction,
            i.outcome,
            literal(0),
        )
        .where(i.customer_id == bindparam("cid"), i.occurred_at >= bindparam("since"), answered)
        .order_by(i.occurred_at.desc(), i.id.desc())
        .limit(EVIDENCE_TOUCHES),
        "behaviour_one": select(
            b.customer_id,
            literal("behavior_events"),
            b.id,
            b.occurred_at,
            null(),
            null(),
            literal(0),
        )
        .where(b.customer_id == bindparam("cid"), b.occurred_at >= bindparam("since"))
        .order_by(b.occurred_at.desc(), b.id.desc())
        .limit(EVIDENCE_TOUCHES),
        "opportunities": select(
            o.customer_id, o.id, o.name, cast(o.value, Float), o.updated_at, o.expected_close
        )
        .where(o.customer_id.in_(ids), o.status == "open")
        .order_by(o.id),
        "dropoffs": select(
            d.customer_id, d.id, d.stage, cast(d.cart_value, Float), d.occurred_at, d.recovered
        )
        .where(d.customer_id.in_(ids), d.occurred_at >= bindparam("since"))
        .order_by(d.occurred_at.desc(), d.id.desc()),
        "tickets": select(t.customer_id, t.id, t.subject, t.status, t.sla_due_at, t.created_at)
        .where(
            t.customer_id.in_(ids),
            or_(t.status.in_(("open", "pending")), t.created_at >= bindparam("since")),
        )
        .order_by(t.sla_due_at, t.id),
    }


@dataclass
class Records:
    """One customer's recent records, as plain rows."""

    customer_type: str = "new"
    order_count: int = 0
    total_spent: float = 0.0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    touches: list = field(default_factory=list)  # latest 10: (source, id, at, direction, outcome)
    recent_touches: int = 0  # last 30 days
    all_touches: int = 0  # last 120 days
    week: dict = field(
        default_factory=dict
    )  # last 7 days: browsing / complaint / inbound message counts
    orders: list = field(default_factory=list)  # latest completed: (id, at, amount), newest first
    opportunities: list = field(
        default_factory=list
    )  # open: (id, name, value, updated_at, expected_close)
    dropoffs: list = field(default_factory=list)  # last 30 days: (id, stage, value, at, recovered)
    tickets: list = field(
        default_factory=list
    )  # open, or opened in 7 days: (id, subject, status, sla, created)


@dataclass(frozen=True)
class Facts:
    today: date
    now: datetime
    start: datetime  # start of today, business time
    currency: str
    big: float
    vip_spend: float

    def money(self, value) -> str:
        return f"{self.currency} {float(value or 0):,.0f}"

    def days_ago(self, moment: datetime) -> int:
        return (self.start.date() - moment.astimezone(self.start.tzinfo).date()).days

    def since(self, days: int) -> datetime:
        """The start of the window of the last ``days`` days, today included."""
        return self.start - timedelta(days=days - 1)


def _windows(ids: list[int], f: Facts) -> dict:
    return {"ids": ids, "since": f.since(120), "recent": f.since(30), "week": f.since(7)}


def one_customer_reads(customer_id: int, f: Facts) -> list:
    """The reads ``load_records`` makes for one customer, to send ahead in one round trip
    (``domain.one_trip.prefetch``); the same statements and parameters."""
    from domain.one_trip import Read

    q, ids = statements(), [customer_id]
    one = {"cid": customer_id, "since": f.since(120)}
    return [Read(q["customers"], {"ids": ids}), Read(q["touch_counts"], _windows(ids, f)),
            Read(q["interactions_one"], one), Read(q["behaviour_one"], one), Read(q["orders_one"], one),
            Read(q["opportunities"], {"ids": ids}), Read(q["dropoffs"], {"ids": ids, "since": f.since(30)}),
            Read(q["tickets"], {"ids": ids, "since": f.since(7)})]


def load_records(session: Session, ids: list[int], f: Facts, conn=None) -> dict[int, Records]:
    """``conn``: read through this connection (a prefetched one, say) instead of the session's."""
    q = statements()
    conn = conn if conn is not None else session.connection()
    records: dict[int, Records] = {}
    for cid, ctype, count, spent, first, last in conn.execute(q["customers"], {"ids": ids}).all():
        records[cid] = Records(ctype, int(count or 0), float(spent or 0), first, last)
    if not records:
        return records
    windows = _windows(ids, f)
    for cid, recent, total, browsing, complaints, inbound in conn.execute(
        q["touch_counts"], windows
    ).all():
        rec = records[cid]
        rec.recent_touches, rec.all_touches = int(recent), int(total)
        rec.week = {
            "browsing": int(browsing),
            "complaint": int(complaints),
            "inbound message": int(inbound),
        }
    if len(ids) == 1:
        one = {"cid": ids[0], "since": windows["since"]}
        touches = (
            conn.execute(q["interactions_one"], one).all()
            + conn.execute(q["behaviour_one"], one).all()
        )
        orders = conn.execute(q["orders_one"], one).all()
    else:
        touches = conn.execute(q["touches"], windows).all()
        orders = conn.execute(q["orders"], {"ids": ids}).all()
    for cid, source, rid, at, direction, outcome, _n in touches:
        records[cid].touches.append((source, rid, at, direction, outcome))
    for cid, oid, at, amount, _n in orders:
        records[cid].orders.append((oid, at, amount))
    for cid, *row in conn.execute(q["opportunities"], {"ids": ids}).all():
        records[cid].opportunities.append(tuple(row))
    for cid, *row in conn.execute(q["dropoffs"], {"ids": ids, "since": f.since(30)}).all():
        records[cid].dropoffs.append(tuple(row))
    for cid, *row in conn.execute(q["tickets"], {"ids": ids, "since": f.since(7)}).all():
        records[cid].tickets.append(tuple(row))
    for rec in records.values():
        rec.orders.sort(key=lambda r: (r[1], r[0]), reverse=True)
        rec.touches.sort(key=lambda r: (r[2], r[1]), reverse=True)
        del rec.touches[EVIDENCE_TOUCHES:]
    return records
