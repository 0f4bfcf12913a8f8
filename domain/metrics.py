"""One customer's metrics and scores, for the 360 view: lifetime value, frequency, tenure, RFM,
temperature, lifecycle, engagement, health and churn risk, in two queries.

Metric definitions (completed orders only):
  lifetime_value               sum of completed orders
  average_order_value          lifetime value / order count (0 without orders)
  days_since_last_order        calendar days in the business zone (None: never bought)
  tenure_days                  days since the earlier of the first order and the customer's creation
  purchase_frequency           orders per month (30.44 days) over the tenure, the tenure counted as
                               at least one month so a first-week buyer does not score 30/month
  average_days_between_orders  (last order - first order) / (orders - 1), from 2 orders
  repeat_purchase_rate         share of the customer's orders that were repeat purchases, (n-1)/n
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from domain.days import business_tz, day_start, days_since
from domain.enums import CustomerType, LifecycleStage, Temperature
from domain.errors import NotFound
from domain.models import BehaviorEvent, Customer, CustomerStats, Interaction, SupportTicket
from domain.rfm import (
    DEFAULT_MONETARY_THRESHOLDS,
    RfmRow,
    check_mode,
    check_thresholds,
    frequency_score,
    monetary_score,
    recency_score,
    rfm_table,
    segment_for,
    segment_reason,
)
from domain.scores import (
    HOT_WINDOW_DAYS,
    WARM_WINDOW_DAYS,
    ChurnRisk,
    HealthScore,
    churn_risk,
    customer_type,
    engagement_score,
    health_score,
    lifecycle_stage,
    temperature,
    vip_spend_for,
)
from domain.stats import POSITIVE_OUTCOMES

DAYS_PER_MONTH = 30.4375
CONTACT_WINDOW_DAYS = 90


class CustomerMetrics(BaseModel):
    model_config = ConfigDict(frozen=True)
    lifetime_value: float
    order_count: int
    average_order_value: float
    days_since_last_order: int | None
    purchase_frequency: float  # orders per month
    average_days_between_orders: float | None
    tenure_days: int
    repeat_purchase_rate: float


def customer_metrics(
    stats: CustomerStats | Any | None, today: date, *, tz: ZoneInfo | str | None = None,
    customer_since: datetime | None = None,
) -> CustomerMetrics:
    """Metrics from a customer_stats row (or any object with its columns; None: no history)."""
    zone = business_tz(tz)
    count = int(getattr(stats, "order_count", 0) or 0)
    value = float(getattr(stats, "total_spent", 0) or Decimal(0))
    first = getattr(stats, "first_order_at", None)
    last = getattr(stats, "last_order_at", None)
    starts = [moment for moment in (first, customer_since) if moment is not None]
    tenure = days_since(min(starts), today, zone) if starts else 0
    gap = None
    if count >= 2 and first is not None and last is not None:
        span = (last.astimezone(zone).date() - first.astimezone(zone).date()).days
        gap = round(span / (count - 1), 1)
    return CustomerMetrics(
        lifetime_value=round(value, 2), order_count=count,
        average_order_value=round(value / count, 2) if count else 0.0,
        days_since_last_order=days_since(last, today, zone),
        purchase_frequency=round(count / max(tenure, DAYS_PER_MONTH) * DAYS_PER_MONTH, 2),
        average_days_between_orders=gap, tenure_days=tenure,
        repeat_purchase_rate=round((count - 1) / count, 3) if count else 0.0,
    )


class CustomerScores(BaseModel):
    model_config = ConfigDict(frozen=True)
    customer_id: int
    name: str
    as_of: date
    metrics: CustomerMetrics
    rfm: RfmRow | None  # None: no completed order (or erased)
    temperature: Temperature
    lifecycle_stage: LifecycleStage
    lifecycle_locked: bool  # True: set by hand, the rules leave it
    customer_type: CustomerType
    engagement_score: float
    health: HealthScore
    churn: ChurnRisk


@cache
def _score_statements() -> tuple:
    """The customer-with-stats row and the activity counts, built once (building a statement costs
    more than running it). One round trip each, or both inside a prefetch (``score_reads``)."""
    s = CustomerStats
    row = (select(Customer.id, Customer.name, Customer.status, Customer.created_at, Customer.lifecycle_stage,
                  Customer.lifecycle_locked, s.customer_id.label("stats_customer_id"),
                  *(c for c in s.__table__.c if c.key != "customer_id"))
           .outerjoin(s, s.customer_id == Customer.id).where(Customer.id == bindparam("cid")))
    i, b, t = Interaction, BehaviorEvent, SupportTicket
    at, bt = i.occurred_at.type, b.occurred_at.type
    cid = bindparam("cid")
    tomorrow, since_7 = bindparam("tomorrow", type_=at), bindparam("since_7", type_=bt)
    since_30, since_90 = bindparam("since_30", type_=bt), bindparam("since_90", type_=at)

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    contacts = select().where(i.customer_id == cid, i.occurred_at >= since_90, i.occurred_at < tomorrow)
    browsing = select().where(b.customer_id == cid, b.occurred_at >= since_30, b.occurred_at < tomorrow)
    is_open = t.status.in_(("open", "pending"))
    tickets = select().where(t.customer_id == cid)
    recent = b.occurred_at >= since_7
    activity = select(
        contacts.add_columns(func.count()).scalar_subquery().label("contacts"),
        contacts.add_columns(total(or_(i.direction == "inbound", i.outcome.in_(POSITIVE_OUTCOMES))))
        .scalar_subquery().label("responses"),
        contacts.add_columns(total(i.outcome == "complaint")).scalar_subquery().label("complaints"),
        browsing.add_columns(total(and_(recent, b.type == "product_view"), b.count))
        .scalar_subquery().label("views"),
        browsing.add_columns(total(and_(recent, b.type.in_(("add_to_cart", "wishlist"))), b.count))
        .scalar_subquery().label("carts"),
        browsing.add_columns(func.coalesce(func.sum(b.count), 0)).scalar_subquery().label("events"),
        tickets.add_columns(total(is_open)).scalar_subquery().label("open_tickets"),
        tickets.add_columns(total(and_(is_open, t.sla_due_at < bindparam("now", type_=t.sla_due_at.type))))
        .scalar_subquery().label("overdue"),
        tickets.add_columns(func.avg(t.csat)).scalar_subquery().label("csat"),
    )
    return row, activity


def _score_params(customer_id: int, today: date, zone: ZoneInfo, now: datetime) -> tuple[dict, dict]:
    """The 90-day contact window, 7/30-day behaviour windows and the SLA time, as parameters."""
    windows = (HOT_WINDOW_DAYS, WARM_WINDOW_DAYS, CONTACT_WINDOW_DAYS)
    since_7, since_30, since_90 = (day_start(today - timedelta(days=n), zone) for n in windows)
    return {"cid": customer_id}, {"cid": customer_id, "tomorrow": day_start(today + timedelta(days=1), zone),
                                  "since_7": since_7, "since_30": since_30, "since_90": since_90, "now": now}


def score_reads(customer_id: int, today: date, *, tz: ZoneInfo | str | None = None,
                now: datetime | None = None) -> list:
    """The two reads ``scores_for_customer`` makes, to send ahead in one round trip."""
    from domain.one_trip import Read

    zone = business_tz(tz)
    row, activity = _score_statements()
    row_params, activity_params = _score_params(customer_id, today, zone, now or day_start(today, zone))
    return [Read(row, row_params), Read(activity, activity_params)]


_STATS_KEYS = frozenset(c.key for c in CustomerStats.__table__.c if c.key != "customer_id")


class _Stats:
    """A customer_stats row's columns as attributes (what ``customer_metrics`` reads)."""

    def __init__(self, mapping) -> None:
        self.__dict__.update(mapping)


def scores_for_customer(
    session: Session, customer_id: int, today: date, *, tz: ZoneInfo | str | None = None,
    thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS, mode: str = "fixed",
    now: datetime | None = None, conn=None,
) -> CustomerScores:
    """Everything the 360 view scores for one customer, computed as of ``today``.

    ``conn``: read through this connection (a prefetched one: ``score_reads``) instead of the
    session's.

    ``now`` decides which tickets are past their SLA (default: the start of ``today``). Temperature
    and customer type are computed fresh; the lifecycle stage too unless it is locked.
    """
    zone, thresholds, mode = business_tz(tz), check_thresholds(thresholds), check_mode(mode)
    now = now or day_start(today, zone)
    conn = conn if conn is not None else session.connection()
    row_query, activity_query = _score_statements()
    row_params, activity_params = _score_params(customer_id, today, zone, now)
    row = conn.execute(row_query, row_params).one_or_none()
    if row is None:
        raise NotFound(f"no customer with id {customer_id}", field="customer")
    stats = None
    if row.stats_customer_id is not None:
        stats = _Stats({k: v for k, v in row._mapping.items() if k in _STATS_KEYS})
        stats.customer_id = row.stats_customer_id
    activity = conn.execute(activity_query, activity_params).one()
    metrics = customer_metrics(stats, today, tz=zone, customer_since=row.created_at)
    order_days = metrics.days_since_last_order
    count, spent = metrics.order_count, metrics.lifetime_value
    contact_days = days_since(stats.last_interaction_at if stats else None, today, zone)
    positive_days = days_since(stats.last_positive_at if stats else None, today, zone)
    inbound_days = days_since(stats.last_inbound_at if stats else None, today, zone)
    dropoff_days = days_since(stats.last_dropoff_at if stats else None, today, zone)
    open_dropoffs = stats.open_dropoff_count if stats else 0
    engagement = engagement_score(contact_days, activity.contacts, int(activity.responses),
                                  int(activity.events))
    csat = float(activity.csat) if activity.csat is not None else None
    if row.lifecycle_locked:
        stage = LifecycleStage(row.lifecycle_stage)
    else:
        stage = lifecycle_stage(count, order_days, stats.interaction_count if stats else 0,
                                engaged=activity.events > 0 or open_dropoffs > 0)
    return CustomerScores(
        customer_id=row.id, name=row.name, as_of=today, metrics=metrics,
        rfm=_rfm_row(session, row, metrics, today, zone, thresholds, mode),
        temperature=temperature(
            order_days, positive_days, views_7d=int(activity.views), carts_7d=int(activity.carts),
            events_30d=int(activity.events), days_since_dropoff=dropoff_days,
            days_since_inbound=inbound_days),
        lifecycle_stage=stage, lifecycle_locked=bool(row.lifecycle_locked),
        customer_type=customer_type(count, spent, order_days, vip_spend_for(thresholds)),
        engagement_score=engagement,
        health=health_score(
            count, spent, order_days, engagement, open_tickets=int(activity.open_tickets),
            overdue_tickets=int(activity.overdue), complaints_90d=int(activity.complaints),
            csat_average=csat, thresholds=thresholds),
        churn=churn_risk(
            order_days, count, average_gap_days=metrics.average_days_between_orders,
            days_since_contact=contact_days, complaints_90d=int(activity.complaints),
            engagement=engagement, tenure_days=metrics.tenure_days),
    )


def _rfm_row(session, row, metrics: CustomerMetrics, today, zone, thresholds, mode
             ) -> RfmRow | None:
    if metrics.order_count == 0 or row.status == "erased":
        return None
    if mode == "quintile":  # needs the whole population: let the SQL rank it
        found = rfm_table(session, today, thresholds, mode, customer_ids=[row.id], tz=zone)
        return found[0] if found else None
    r = recency_score(metrics.days_since_last_order)
    f = frequency_score(metrics.order_count)
    m = monetary_score(metrics.lifetime_value, thresholds)
    return RfmRow(
        customer_id=row.id, name=row.name, recency_days=metrics.days_since_last_order,
        frequency=metrics.order_count, monetary=metrics.lifetime_value, r=r, f=f, m=m,
        score=f"{r}{f}{m}", segment=segment_for(r, f, m), reason=segment_reason(r, f, m),
    )
