"""Which alert conditions hold now, for some customers (or everybody): one query per kind.

Each kind answers ``{(customer_id, subject): Finding}``; ``subject`` is "" for a condition of the
customer (VIP, Champions, churn) and "ticket:12" / "dropoff:7" for one about a record, so two
tickets are two conditions. Reasons hold no free text (a ticket's subject is read when the card is
sent), so erasure has nothing to find here. The scores are the same rules the 360 view shows (``domain.metrics``,
``domain.rfm``, ``domain.scores``); erased customers never hold a condition.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import Session

from domain.alerts.rules import CART_STAGES, AlertRules
from domain.days import day_start, days_since
from domain.enums import RfmSegment
from domain.metrics import CONTACT_WINDOW_DAYS, customer_metrics
from domain.models import (
    BehaviorEvent, Customer, CustomerStats, Dropoff, Interaction, Product, SupportTicket,
)
from domain.rfm import frequency_score, monetary_score, recency_score, rfm_table, segment_for
from domain.scores import WARM_WINDOW_DAYS, churn_risk, engagement_score, vip_spend_for
from domain.stats import POSITIVE_OUTCOMES


@dataclass(frozen=True)
class Finding:
    reason: str
    facts: dict = field(default_factory=dict)


Found = dict[tuple[int, str], Finding]


@dataclass(frozen=True)
class Scope:
    """One evaluation: these customers (None = everybody) as of ``today`` / ``now``."""

    ids: list[int] | None
    today: date
    now: datetime
    zone: ZoneInfo
    rules: AlertRules

    def only(self, query, column):
        return query.where(column.in_(self.ids)) if self.ids is not None else query

    def money(self, amount: float) -> str:
        return f"{amount:,.0f} {self.rules.currency}"


LIVE = Customer.status != "erased"


def _rows(session: Session, query):
    """Core rows straight from the connection: the ORM result layer adds nothing here (and on the
    write path, where this runs once per write, it costs a third of the time)."""
    return session.connection().execute(query).all()


def vip(session: Session, scope: Scope) -> Found:
    s = CustomerStats
    query = scope.only(select(Customer.id, s.total_spent, s.order_count)
                       .join(s, s.customer_id == Customer.id)
                       .where(LIVE, Customer.customer_type == "vip"), Customer.id)
    floor = vip_spend_for(scope.rules.monetary_thresholds)
    return {(cid, ""): Finding(
        f"became a VIP: {scope.money(float(spent))} over {orders} orders (VIP from {scope.money(floor)})",
        {"total_spent": float(spent), "order_count": int(orders), "vip_spend": floor})
        for cid, spent, orders in _rows(session, query)}


def champions(session: Session, scope: Scope) -> Found:
    rules = scope.rules
    if rules.rfm_mode != "fixed":  # quintiles need the whole population: the SQL ranks it
        rows = rfm_table(session, scope.today, rules.monetary_thresholds, rules.rfm_mode,
                         customer_ids=scope.ids, segment=RfmSegment.champions, tz=scope.zone)
        scored = [(r.customer_id, r.score, r.frequency, r.monetary, r.recency_days) for r in rows]
    else:  # the fixed thresholds score each buyer alone, from customer_stats (domain.rfm's rules)
        s = CustomerStats
        query = scope.only(select(s.customer_id, s.order_count, s.total_spent, s.last_order_at)
                           .join(Customer, Customer.id == s.customer_id)
                           .where(LIVE, s.order_count > 0), s.customer_id)
        scored = []
        for cid, orders, spent, last in _rows(session, query):
            days = days_since(last, scope.today, scope.zone)
            r, f = recency_score(days), frequency_score(int(orders))
            m = monetary_score(float(spent), rules.monetary_thresholds)
            if segment_for(r, f, m) is RfmSegment.champions:
                scored.append((cid, f"{r}{f}{m}", int(orders), float(spent), days))
    return {(cid, ""): Finding(
        f"joined the Champions: RFM {score}, {orders} orders, {scope.money(spent)}, last order {days} days ago",
        {"rfm": score, "order_count": orders, "total_spent": spent, "recency_days": days})
        for cid, score, orders, spent, days in scored}


def churn_high(session: Session, scope: Scope) -> Found:
    """Buyers whose churn risk is high (a lead who never bought has nothing to churn from)."""
    tomorrow = day_start(scope.today + timedelta(days=1), scope.zone)
    since_90 = day_start(scope.today - timedelta(days=CONTACT_WINDOW_DAYS), scope.zone)
    since_30 = day_start(scope.today - timedelta(days=WARM_WINDOW_DAYS), scope.zone)
    i, b, s = Interaction, BehaviorEvent, CustomerStats

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    contacts = scope.only(select(
        i.customer_id, func.count().label("n"),
        total(or_(i.direction == "inbound", i.outcome.in_(POSITIVE_OUTCOMES))).label("responses"),
        total(i.outcome == "complaint").label("complaints"),
    ).where(i.occurred_at >= since_90, i.occurred_at < tomorrow), i.customer_id
    ).group_by(i.customer_id).subquery()
    browsing = scope.only(select(b.customer_id, func.sum(b.count).label("events"))
                          .where(b.occurred_at >= since_30, b.occurred_at < tomorrow), b.customer_id
                          ).group_by(b.customer_id).subquery()
    query = scope.only(select(
        Customer.id, Customer.created_at, s.order_count, s.total_spent, s.first_order_at,
        s.last_order_at, s.last_interaction_at, func.coalesce(contacts.c.n, 0).label("contacts"),
        func.coalesce(contacts.c.responses, 0).label("responses"),
        func.coalesce(contacts.c.complaints, 0).label("complaints"),
        func.coalesce(browsing.c.events, 0).label("events"),
    ).join(s, s.customer_id == Customer.id)
        .outerjoin(contacts, contacts.c.customer_id == Customer.id)
        .outerjoin(browsing, browsing.c.customer_id == Customer.id)
        .where(LIVE, s.order_count > 0), Customer.id)
    found: Found = {}
    for row in _rows(session, query):
        metrics = customer_metrics(row, scope.today, tz=scope.zone, customer_since=row.created_at)
        contact_days = days_since(row.last_interaction_at, scope.today, scope.zone)
        engagement = engagement_score(contact_days, int(row.contacts), int(row.responses), int(row.events))
        risk = churn_risk(metrics.days_since_last_order, metrics.order_count,
                          average_gap_days=metrics.average_days_between_orders,
                          days_since_contact=contact_days, complaints_90d=int(row.complaints),
                          engagement=engagement, tenure_days=metrics.tenure_days)
        if risk.level == "high":
            found[(row.id, "")] = Finding(
                f"churn risk became high ({risk.probability:.0%}): " + "; ".join(risk.drivers[:3]),
                {"probability": risk.probability, "drivers": risk.drivers,
                 "suggestions": risk.suggestions[:2]})
    return found


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).strftime("%a %d %b %H:%M")


def sla_breached(session: Session, scope: Scope) -> Found:
    t = SupportTicket
    query = scope.only(select(t.id, t.customer_id, t.priority, t.sla_due_at)
                       .join(Customer, Customer.id == t.customer_id)
                       .where(LIVE, t.status.in_(("open", "pending")), t.sla_due_at < scope.now),
                       t.customer_id)
    return {(cid, f"ticket:{tid}"): Finding(
        f"ticket #{tid} ({priority} priority) passed its SLA, due {_local(due, scope.zone)}",
        {"ticket_id": tid, "priority": priority, "sla_due_at": due.isoformat(),
         "hours_overdue": round((scope.now - due).total_seconds() / 3600, 1)})
        for tid, cid, priority, due in _rows(session, query)}


def cart_abandoned(session: Session, scope: Scope) -> Found:
    d = Dropoff
    query = scope.only(select(d.id, d.customer_id, d.stage, d.cart_value, d.occurred_at, Product.name)
                       .join(Customer, Customer.id == d.customer_id)
                       .outerjoin(Product, Product.id == d.product_id)
                       .where(LIVE, d.recovered == false(), d.stage.in_(CART_STAGES),
                              d.cart_value >= scope.rules.cart_value, d.occurred_at < scope.now),
                       d.customer_id)
    found: Found = {}
    for did, cid, stage, value, at, product in _rows(session, query):
        what = f" ({product})" if product else ""
        found[(cid, f"dropoff:{did}")] = Finding(
            f"left a cart of {scope.money(float(value))}{what} at {stage.replace('_', ' ')}, "
            f"{_local(at, scope.zone)}",
            {"dropoff_id": did, "cart_value": float(value), "stage": stage, "product": product,
             "occurred_at": at.isoformat(), "threshold": scope.rules.cart_value})
    return found


def low_csat(session: Session, scope: Scope) -> Found:
    t = SupportTicket
    query = scope.only(select(t.id, t.customer_id, t.csat)
                       .join(Customer, Customer.id == t.customer_id)
                       .where(LIVE, t.csat.is_not(None), t.csat <= scope.rules.low_csat,
                              or_(t.resolved_at.is_(None), t.resolved_at < scope.now)),
                       t.customer_id)
    return {(cid, f"ticket:{tid}"): Finding(
        f"rated ticket #{tid} {csat}/5",
        {"ticket_id": tid, "csat": int(csat), "threshold": scope.rules.low_csat})
        for tid, cid, csat in _rows(session, query)}


CONDITIONS: dict[str, Callable[[Session, Scope], Found]] = {
    "vip": vip, "champions": champions, "churn_high": churn_high, "sla_breached": sla_breached,
    "cart_abandoned": cart_abandoned, "low_csat": low_csat,
}
