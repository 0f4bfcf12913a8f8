"""Insights: what deserves attention about a customer, with the records it rests on.

Six prebuilt queries load the recent records of any number of customers; the rules are pure
functions over them and name their evidence as ``{"table": ..., "id": ...}``. Money thresholds
scale with the RFM monetary thresholds (``big`` = the top one, BDT 5,000 by default):

  engagement_drop     customer-side touches (inbound or answered interactions, behaviour events)
                      in the last 30 days at most half the monthly average of the 90 days before,
                      which was at least 2; high when they fell to zero
  stale_opportunity   open deals not updated for 30 days or past their expected close; high when
                      a close date passed or the stale value is at least 10 x big
  churn_risk          repeat buyers (2+ orders) silent for more than twice their usual gap between
                      orders and 60+ days; high past three times the gap with 4+ orders or big spend
  upsell_potential    3+ completed orders in 180 days, the last within 30 days; high when those
                      orders reached big
  vip_activity        VIPs (customer type vip, or lifetime spend of 10 x big, as domain.scores has
                      it) active in the last 7 days; high when the activity is a drop-off, a ticket
                      or a complaint, low when it is only orders
  open_dropoffs       open drop-offs from the last 30 days; high from big or a failed payment,
                      medium from big / 5 or any cart, else low
  sla_risk            open or pending tickets past their SLA (high) or due within 24 hours (medium)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Iterable

from sqlalchemy import Float, and_, bindparam, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import (
    BehaviorEvent, Customer, CustomerStats, Dropoff, Interaction, Opportunity, Order, SupportTicket,
)
from domain.scores import vip_spend_for
from domain.settings import Settings, get_settings

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
LATEST_ORDERS = 20
EVIDENCE_TOUCHES = 10


@dataclass(frozen=True)
class Insight:
    kind: str
    severity: str  # low | medium | high
    title: str
    detail: str
    evidence: list[dict] = field(default_factory=list)  # [{"table": "orders", "id": 12}, ...]
    recommendation: str = ""


def ref(table: str, record_id: int) -> dict:
    return {"table": table, "id": int(record_id)}


@cache
def _statements() -> dict:
    """Built once: constructing SQLAlchemy statements costs more than running these small ones."""
    ids = bindparam("ids", expanding=True)
    i, b, o, d, t, s = Interaction, BehaviorEvent, Opportunity, Dropoff, SupportTicket, CustomerStats
    ranked = (
        select(Order.customer_id, Order.id, Order.ordered_at, cast(Order.total_amount, Float).label("amount"),
               func.row_number().over(partition_by=Order.customer_id,
                                      order_by=(Order.ordered_at.desc(), Order.id.desc())).label("n"))
        .where(Order.customer_id.in_(ids), Order.status == "completed")
        .subquery()
    )
    # customer-side touches: behaviour, inbound messages, answered contacts (complaints included)
    touches = union_all(
        select(i.customer_id, literal("interactions").label("source"), i.id, i.occurred_at.label("at"),
               i.direction, i.outcome)
        .where(i.customer_id.in_(ids), i.occurred_at >= bindparam("since"),
               or_(i.direction == "inbound", and_(i.outcome.is_not(None), i.outcome != "no_answer"))),
        select(b.customer_id, literal("behavior_events"), b.id, b.occurred_at, null(), null())
        .where(b.customer_id.in_(ids), b.occurred_at >= bindparam("since")),
    ).subquery()
    at = touches.c.at

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    latest_touches = select(
        touches, func.row_number().over(partition_by=touches.c.customer_id,
                                        order_by=(at.desc(), touches.c.id.desc())).label("n")
    ).subquery()
    week = bindparam("week", type_=i.occurred_at.type)
    return {
        "touch_counts": select(
            touches.c.customer_id, count_if(at >= bindparam("recent", type_=i.occurred_at.type)), func.count(),
            count_if((at >= week) & (touches.c.source == "behavior_events")),
            count_if((at >= week) & (touches.c.outcome == "complaint")),
            count_if((at >= week) & (touches.c.direction == "inbound")
                     & touches.c.outcome.is_distinct_from("complaint")),
        ).group_by(touches.c.customer_id),
        "touches": select(latest_touches).where(latest_touches.c.n <= EVIDENCE_TOUCHES),
        "customers": select(Customer.id, Customer.customer_type, s.order_count, cast(s.total_spent, Float),
                            s.first_order_at, s.last_order_at)
        .outerjoin(s, s.customer_id == Customer.id).where(Customer.id.in_(ids)),
        "orders": select(ranked).where(ranked.c.n <= LATEST_ORDERS),
        "opportunities": select(o.customer_id, o.id, o.name, cast(o.value, Float), o.updated_at, o.expected_close)
        .where(o.customer_id.in_(ids), o.status == "open").order_by(o.id),
        "dropoffs": select(d.customer_id, d.id, d.stage, cast(d.cart_value, Float), d.occurred_at, d.recovered)
        .where(d.customer_id.in_(ids), d.occurred_at >= bindparam("since"))
        .order_by(d.occurred_at.desc(), d.id.desc()),
        "tickets": select(t.customer_id, t.id, t.subject, t.status, t.sla_due_at, t.created_at)
        .where(t.customer_id.in_(ids), or_(t.status.in_(("open", "pending")), t.created_at >= bindparam("since")))
        .order_by(t.sla_due_at, t.id),
    }


@dataclass
class _Records:
    """One customer's recent records, as plain rows."""

    customer_type: str = "new"
    order_count: int = 0
    total_spent: float = 0.0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    touches: list = field(default_factory=list)  # latest 10: (source, id, at, direction, outcome)
    recent_touches: int = 0  # last 30 days
    all_touches: int = 0  # last 120 days
    week: dict = field(default_factory=dict)  # last 7 days: browsing / complaint / inbound message counts
    orders: list = field(default_factory=list)  # latest completed: (id, at, amount), newest first
    opportunities: list = field(default_factory=list)  # open: (id, name, value, updated_at, expected_close)
    dropoffs: list = field(default_factory=list)  # last 30 days: (id, stage, value, at, recovered)
    tickets: list = field(default_factory=list)  # open, or opened in 7 days: (id, subject, status, sla, created)


@dataclass(frozen=True)
class _Facts:
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


def customer_insights(
    session: Session, customer_id: int, today: date, *, now: datetime | None = None,
    settings: Settings | None = None,
) -> list[Insight]:
    """Insights for one customer, most severe first. Unknown customer: NotFound."""
    found = insights_for_customers(session, [customer_id], today, now=now, settings=settings)
    if customer_id not in found:
        raise NotFound(f"no customer with id {customer_id}: look the customer up by name, phone or email first",
                       field="customer")
    return found[customer_id]


def insights_for_customers(
    session: Session, customer_ids: Iterable[int], today: date, *, now: datetime | None = None,
    settings: Settings | None = None,
) -> dict[int, list[Insight]]:
    """Insights for many customers (unknown ids are left out), six queries whatever their number.
    ``now`` (default: the start of ``today``) times the SLA checks."""
    settings = settings or get_settings()
    start = datetime.combine(today, time(0), settings.tz)
    thresholds = settings.rfm_monetary_thresholds
    f = _Facts(today=today, now=now or start, start=start, currency=settings.currency,
               big=float(thresholds[0]), vip_spend=vip_spend_for(thresholds))
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return {}
    records = _load(session, ids, f)
    out = {}
    for cid, rec in records.items():
        found = [x for rule in RULES for x in rule(rec, f)]
        found.sort(key=lambda x: SEVERITY_ORDER[x.severity])
        out[cid] = found
    return out


def _load(session: Session, ids: list[int], f: _Facts) -> dict[int, _Records]:
    q = _statements()
    conn = session.connection()
    records: dict[int, _Records] = {}
    for cid, ctype, count, spent, first, last in conn.execute(q["customers"], {"ids": ids}).all():
        records[cid] = _Records(ctype, int(count or 0), float(spent or 0), first, last)
    if not records:
        return records
    windows = {"ids": ids, "since": f.since(120), "recent": f.since(30), "week": f.since(7)}
    for cid, recent, total, browsing, complaints, inbound in conn.execute(q["touch_counts"], windows).all():
        rec = records[cid]
        rec.recent_touches, rec.all_touches = int(recent), int(total)
        rec.week = {"browsing": int(browsing), "complaint": int(complaints), "inbound message": int(inbound)}
    for cid, source, rid, at, direction, outcome, _n in conn.execute(q["touches"], windows).all():
        records[cid].touches.append((source, rid, at, direction, outcome))
    for cid, oid, at, amount, _n in conn.execute(q["orders"], {"ids": ids}).all():
        records[cid].orders.append((oid, at, amount))
    for cid, *row in conn.execute(q["opportunities"], {"ids": ids}).all():
        records[cid].opportunities.append(tuple(row))
    for cid, *row in conn.execute(q["dropoffs"], {"ids": ids, "since": f.since(30)}).all():
        records[cid].dropoffs.append(tuple(row))
    for cid, *row in conn.execute(q["tickets"], {"ids": ids, "since": f.since(7)}).all():
        records[cid].tickets.append(tuple(row))
    for rec in records.values():
        rec.orders.sort(key=lambda r: (r[1], r[0]), reverse=True)
    return records


def _engagement_drop(rec: _Records, f: _Facts):
    recent = rec.recent_touches
    monthly = (rec.all_touches - recent) / 3.0
    if monthly < 2 or recent > monthly / 2:
        return
    evidence = [ref(src, rid) for src, rid, *_ in rec.touches[:5]]
    yield Insight(
        "engagement_drop", "high" if not recent else "medium", "Engagement dropped",
        f"{recent} touches in the last 30 days against {monthly:.1f} a month in the 90 days before",
        evidence, "Reach out personally: ask how they are and whether something put them off.",
    )


def _stale_opportunities(rec: _Records, f: _Facts):
    stale_before = f.since(30)
    rows = [r for r in rec.opportunities
            if r[3] < stale_before or (r[4] is not None and r[4] < f.today)]
    if not rows:
        return
    value = sum(r[2] or 0 for r in rows)
    overdue = [r for r in rows if r[4] is not None and r[4] < f.today]
    parts = [f"{len(rows)} open deal{'s' if len(rows) > 1 else ''} worth {f.money(value)}",
             f"oldest untouched for {max(f.days_ago(r[3]) for r in rows)} days"]
    if overdue:
        parts.append(f"{len(overdue)} past expected close")
    yield Insight(
        "stale_opportunity", "high" if overdue or value >= 10 * f.big else "medium",
        f"Stale opportunit{'ies' if len(rows) > 1 else 'y'}: {', '.join(r[1] for r in rows[:3])}",
        "; ".join(parts), [ref("opportunities", r[0]) for r in rows],
        "Call to move each deal to its next stage, or close it as lost so the pipeline stays honest.",
    )


def _churn_risk(rec: _Records, f: _Facts):
    if rec.order_count < 2 or rec.first_order_at is None or rec.last_order_at is None:
        return
    silent = f.days_ago(rec.last_order_at)
    gap = max(1.0, (rec.last_order_at - rec.first_order_at).total_seconds() / 86400 / (rec.order_count - 1))
    if silent <= max(2 * gap, 60):
        return
    high = silent > 3 * gap and (rec.order_count >= 4 or rec.total_spent >= f.big)
    yield Insight(
        "churn_risk", "high" if high else "medium", "Churn risk: gone quiet",
        f"last order {silent} days ago; usually every {gap:.0f} days over {rec.order_count} orders "
        f"({f.money(rec.total_spent)} in total)",
        [ref("orders", r[0]) for r in rec.orders[:1]],
        "Call with a welcome-back offer on what they used to buy; ask what changed.",
    )


def _upsell_potential(rec: _Records, f: _Facts):
    recent = [r for r in rec.orders if r[1] >= f.since(180)]
    if len(recent) < 3 or f.days_ago(recent[0][1]) > 30:
        return
    spent = sum(r[2] for r in recent)
    more = "+" if len(recent) == LATEST_ORDERS else ""
    yield Insight(
        "upsell_potential", "high" if spent >= f.big else "medium", "Upsell potential",
        f"{len(recent)}{more} orders in the last 180 days worth {f.money(spent)}, "
        f"the last {f.days_ago(recent[0][1])} days ago",
        [ref("orders", r[0]) for r in recent[:5]],
        "Offer a premium item or a bundle in the categories they already buy.",
    )


def _vip_activity(rec: _Records, f: _Facts):
    if rec.customer_type != "vip" and rec.total_spent < f.vip_spend:
        return
    week = f.since(7)
    kinds = {kind: n for kind, n in rec.week.items() if n}
    seen = [(at, "orders", oid) for oid, at, _a in rec.orders if at >= week]
    dropoffs = [(at, "dropoffs", did) for did, _s, _v, at, _r in rec.dropoffs if at >= week]
    tickets = [(created, "support_tickets", tid) for tid, _s, _st, _sla, created in rec.tickets if created >= week]
    for kind, rows in (("order", seen), ("drop-off", dropoffs), ("ticket", tickets)):
        if rows:
            kinds[kind] = len(rows)
    if not kinds:
        return
    # the latest touches are the only ones loaded one by one; counts above are complete
    touches = [(at, src, rid) for src, rid, at, direction, outcome in rec.touches
               if at >= week and (src == "behavior_events" or direction == "inbound" or outcome == "complaint")]
    records = sorted(seen + dropoffs + tickets + touches, key=lambda r: (r[0], r[2]), reverse=True)
    urgent = kinds.keys() & {"drop-off", "ticket", "complaint"}
    summary = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    yield Insight(
        "vip_activity", "high" if urgent else "low" if set(kinds) == {"order"} else "medium",
        "VIP active this week", f"last 7 days: {summary}", [ref(t, rid) for _at, t, rid in records[:10]],
        "Call today: a VIP hit a problem; resolve it before anything else." if urgent
        else "Thank them personally and mention what is new in the categories they like.",
    )


def _open_dropoffs(rec: _Records, f: _Facts):
    rows = [r for r in rec.dropoffs if not r[4]]
    if not rows:
        return
    value = sum(r[2] or 0 for r in rows)
    stages = {r[1] for r in rows}
    if value >= f.big or "payment_failed" in stages:
        severity = "high"
    elif value >= f.big / 5 or stages & {"add_to_cart", "checkout_initiated"}:
        severity = "medium"
    else:
        severity = "low"
    did, stage, latest_value, at, _r = rows[0]
    yield Insight(
        "open_dropoffs", severity, f"{len(rows)} open drop-off{'s' if len(rows) > 1 else ''} worth {f.money(value)}",
        f"latest: {stage.replace('_', ' ')} of {f.money(latest_value)} {f.days_ago(at)} days ago",
        [ref("dropoffs", r[0]) for r in rows],
        "Call to help finish the purchase: answer doubts, check payment options, hold the price.",
    )


def _sla_risk(rec: _Records, f: _Facts):
    soon = f.now + timedelta(hours=24)
    rows = [r for r in rec.tickets if r[2] in ("open", "pending") and r[3] is not None and r[3] <= soon]
    if not rows:
        return
    breached = [r for r in rows if r[3] <= f.now]
    if breached:
        late = (f.now - breached[0][3]).total_seconds() / 3600
        plural = "s" if len(breached) > 1 else ""
        detail = f"{len(breached)} ticket{plural} past SLA, the oldest by {_hours(late)}"
    else:
        detail = f'SLA of "{rows[0][1]}" due in {_hours((rows[0][3] - f.now).total_seconds() / 3600)}'
    yield Insight(
        "sla_risk", "high" if breached else "medium",
        "Support ticket past SLA" if breached else "Support ticket near SLA", detail,
        [ref("support_tickets", r[0]) for r in rows],
        "Resolve or update the ticket now and tell the customer what happens next.",
    )


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


RULES = (_sla_risk, _vip_activity, _open_dropoffs, _churn_risk, _engagement_drop, _stale_opportunities,
         _upsell_potential)
