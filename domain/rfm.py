"""RFM scoring as the seed CRM defines it, and the segment rules (also written down in the README).

Scores are 1-5. Recency: 5 = last purchase within 30 days, 4 within 60, 3 within 90, 2 within 180,
else 1. Frequency (completed orders): 5 = 10+, 4 = 7-9, 3 = 4-6, 2 = 2-3, 1 = one. Monetary
(completed spend, thresholds per currency, default BDT 5000 / 2500 / 1000 / 500): 5 = 5000+,
4 = 2500-4999, 3 = 1000-2499, 2 = 500-999, 1 = below 500.

Segments, first rule that matches wins:
  Champions          R>=4, F>=4, M>=4            (555 is always Champions)
  Loyal Customers    F>=4, R>=3                  frequent buyers not (yet) Champions
  VIP                M=5, R>=3                   big spenders in few orders, still buying
  New Customers      F=1, R>=4                   first purchase in the last 60 days
  Potential Loyalists R>=3                       recent, not yet frequent
  At Risk            R<=2 and (F>=3 or M>=4)     (R<=2, F>=4, M>=4 is always At Risk)
  Lost               R<=2, the rest
Customers without a completed order have no RFM segment.

Over the database (``rfm_table``, ``rfm_distribution``) the scores come from customer_stats, kept
current on write, never from re-scanning orders; customers with status 'erased' are left out.
mode="fixed" uses the bands above, recency in calendar days of the business time zone ("within 30
days": the last order's local date is today - 30 or later). mode="quintile" scores each measure by
the customer's fifth of the buying population: score = 1 + floor(5 x share of buyers with a
strictly lower value), so equal values get equal scores and the lowest value scores 1; recency is
reversed (the most recent buyers score 5). Segments then follow the same rules.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Float, cast, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from domain.days import business_tz, day_start, days_since, epoch_seconds
from domain.enums import RfmSegment
from domain.errors import DomainError
from domain.models import CallPriorityDay, CallPriorityScore, Customer, CustomerStats

DEFAULT_MONETARY_THRESHOLDS: tuple[float, float, float, float] = (5000, 2500, 1000, 500)
RECENCY_DAYS = (30, 60, 90, 180)  # upper bounds for scores 5, 4, 3, 2
FREQUENCY_MIN = (10, 7, 4, 2)  # lower bounds for scores 5, 4, 3, 2


def recency_score(days_since_last_order: int | None) -> int:
    """1-5; ``None`` (never bought) scores 1."""
    if days_since_last_order is None:
        return 1
    for score, limit in zip((5, 4, 3, 2), RECENCY_DAYS):
        if days_since_last_order <= limit:
            return score
    return 1


def frequency_score(order_count: int) -> int:
    for score, minimum in zip((5, 4, 3, 2), FREQUENCY_MIN):
        if order_count >= minimum:
            return score
    return 1


def monetary_score(amount: float, thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS) -> int:
    for score, minimum in zip((5, 4, 3, 2), thresholds):
        if amount >= minimum:
            return score
    return 1


def segment_for(r: int, f: int, m: int) -> RfmSegment:
    """The segment of an R, F, M triple (rules in the module docstring)."""
    if r >= 4 and f >= 4 and m >= 4:
        return RfmSegment.champions
    if f >= 4 and r >= 3:
        return RfmSegment.loyal
    if m == 5 and r >= 3:
        return RfmSegment.vip
    if f == 1 and r >= 4:
        return RfmSegment.new_customers
    if r >= 3:
        return RfmSegment.potential_loyalists
    if f >= 3 or m >= 4:
        return RfmSegment.at_risk
    return RfmSegment.lost


def segment_reason(r: int, f: int, m: int) -> str:
    """Why the triple lands in its segment, in words a sales agent reads."""
    segment = segment_for(r, f, m)
    reasons = {
        RfmSegment.champions: "bought recently, often and a lot (R, F and M all 4 or 5)",
        RfmSegment.vip: "among the biggest spenders (M=5) in few orders, and still buying (R>=3)",
        RfmSegment.loyal: "buys often (F>=4) and recently enough (R>=3)",
        RfmSegment.new_customers: "first purchase within the last 60 days",
        RfmSegment.potential_loyalists: "bought within 90 days but not often yet",
        RfmSegment.at_risk: "used to buy often or spend a lot, but not in the last 90 days",
        RfmSegment.lost: "no purchase in the last 90 days and little history",
    }
    return reasons[segment]


MODES = ("fixed", "quintile")
# Segments listed in the order their rules are tried.
SEGMENT_ORDER = (
    RfmSegment.champions, RfmSegment.vip, RfmSegment.loyal, RfmSegment.new_customers,
    RfmSegment.potential_loyalists, RfmSegment.at_risk, RfmSegment.lost,
)


class RfmRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    customer_id: int
    name: str
    recency_days: int
    frequency: int
    monetary: float
    r: int
    f: int
    m: int
    score: str  # "545"
    segment: RfmSegment
    reason: str


class SegmentCount(BaseModel):
    model_config = ConfigDict(frozen=True)
    segment: RfmSegment
    count: int
    share: float  # of customers with a purchase


class RfmDistribution(BaseModel):
    model_config = ConfigDict(frozen=True)
    as_of: date
    mode: str
    monetary_thresholds: tuple[float, float, float, float]
    customers: int  # not erased
    with_purchase: int
    no_purchase: int
    no_purchase_share: float  # of all customers
    segments: list[SegmentCount]


def check_thresholds(thresholds: Sequence[float]) -> tuple[float, float, float, float]:
    """Four strictly decreasing positive amounts (the minimums for M = 5, 4, 3, 2)."""
    values = tuple(float(t) for t in thresholds)
    if len(values) != 4 or values[-1] <= 0 or any(a <= b for a, b in pairwise(values)):
        raise DomainError(
            f"monetary thresholds must be four decreasing positive amounts such as "
            f"5000, 2500, 1000, 500; got {list(thresholds)}", field="thresholds")
    return values  # type: ignore[return-value]


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise DomainError(f"RFM mode must be 'fixed' or 'quintile', not {mode!r}", field="mode")
    return mode


def parse_segment(value: str | RfmSegment) -> RfmSegment:
    """A segment from its name in any case ("at risk", "At_Risk", "VIP")."""
    key = str(value).strip().lower().replace("_", " ")
    for segment in RfmSegment:
        if key in (segment.value.lower(), segment.name.replace("_", " ")):
            return segment
    names = ", ".join(s.value for s in SEGMENT_ORDER)
    raise DomainError(f"unknown RFM segment {value!r}; use one of: {names}", field="segment")


def triples_in(segment: RfmSegment) -> list[int]:
    """The R*100 + F*10 + M codes of every triple the rules put in ``segment``."""
    return [r * 100 + f * 10 + m for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)
            if segment_for(r, f, m) is segment]


def _buyers():
    s = CustomerStats
    return (select().select_from(s).join(Customer, Customer.id == s.customer_id)
            .where(s.order_count > 0, Customer.status != "erased"))


def _quintile_cuts(session: Session, measures) -> list[list[float]]:
    """Per measure, the values a customer must exceed to score 5, 4, 3 and 2.

    score >= k  <=>  at least j = ceil(n (k-1) / 5) buyers have a strictly lower value
                <=>  value > the j-th smallest value.
    One fetch of the three columns and a numpy sort: cheaper than three window sorts in SQL.
    """
    rows = session.connection().execute(_buyers().add_columns(*measures)).all()
    n = len(rows)
    columns = [np.sort(np.array(column, dtype=float)) for column in zip(*rows)] if n else []
    return [[float(column[math.ceil(n * (k - 1) / 5) - 1]) if n else math.inf for k in (5, 4, 3, 2)]
            for column in (columns or [None] * len(measures))]


def fixed_score_columns(today: date, tz: ZoneInfo, thresholds: Sequence[float]):
    """The fixed bands as SQL over ``customer_stats``: (R, F, M) expressions for a buyer's row."""
    s = CustomerStats
    cuts = [day_start(today - timedelta(days=d), tz) for d in RECENCY_DAYS]
    r = sql_case(*[(s.last_order_at >= cut, score) for cut, score in zip(cuts, (5, 4, 3, 2))],
                 else_=1)
    f = sql_case(*[(s.order_count >= n, score)
                   for n, score in zip(FREQUENCY_MIN, (5, 4, 3, 2))], else_=1)
    m = sql_case(*[(s.total_spent >= t, score) for t, score in zip(thresholds, (5, 4, 3, 2))],
                 else_=1)
    return r, f, m


def _scored(session: Session, today: date, tz: ZoneInfo, thresholds: Sequence[float], mode: str):
    """Subquery: one row per buying, non-erased customer with its r, f, m."""
    s = CustomerStats
    if mode == "fixed":
        r, f, m = fixed_score_columns(today, tz, thresholds)
    else:
        # the same SQL expressions on both sides of the comparison, so ties stay ties
        measures = (epoch_seconds(s.last_order_at), cast(s.order_count, Float),
                    cast(s.total_spent, Float))
        r, f, m = (sql_case(*[(measure > cut, score) for cut, score in zip(cuts, (5, 4, 3, 2))],
                            else_=1)
                   for measure, cuts in zip(measures, _quintile_cuts(session, measures)))
    return _buyers().add_columns(
        s.customer_id, Customer.name, s.order_count, s.total_spent, s.last_order_at,
        r.label("r"), f.label("f"), m.label("m"),
    ).subquery("rfm")


def rfm_table(
    session: Session, today: date, thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
    mode: str = "fixed", customer_ids: Sequence[int] | None = None,
    segment: str | RfmSegment | None = None, limit: int | None = None, *,
    tz: ZoneInfo | str | None = None,
) -> list[RfmRow]:
    """RFM rows of buying customers, best first (M, then F, then R, then spend, orders, recency),
    optionally only ``customer_ids`` and/or the members of ``segment``, at most ``limit``."""
    thresholds, mode, zone = check_thresholds(thresholds), check_mode(mode), business_tz(tz)
    if limit is not None and limit < 1:
        raise DomainError(f"limit must be 1 or more, not {limit}", field="limit")
    rfm = _scored(session, today, zone, thresholds, mode)
    query = select(rfm)
    if customer_ids is not None:
        query = query.where(rfm.c.customer_id.in_([int(i) for i in customer_ids]))
    if segment is not None:
        codes = triples_in(parse_segment(segment))
        query = query.where((rfm.c.r * 100 + rfm.c.f * 10 + rfm.c.m).in_(codes))
    query = query.order_by(
        rfm.c.m.desc(), rfm.c.f.desc(), rfm.c.r.desc(), rfm.c.total_spent.desc(),
        rfm.c.order_count.desc(), rfm.c.last_order_at.desc(), rfm.c.customer_id,
    ).limit(limit)
    rows = []
    for row in session.execute(query):
        r, f, m = int(row.r), int(row.f), int(row.m)
        rows.append(RfmRow(
            customer_id=row.customer_id, name=row.name,
            recency_days=days_since(row.last_order_at, today, zone), frequency=row.order_count,
            monetary=float(row.total_spent), r=r, f=f, m=m, score=f"{r}{f}{m}",
            segment=segment_for(r, f, m), reason=segment_reason(r, f, m),
        ))
    return rows


def thresholds_text(thresholds: Sequence[float]) -> str:
    """The bands as stored beside the call priority scores ("5000.0,2500.0,1000.0,500.0")."""
    return ",".join(repr(float(t)) for t in thresholds)


def _stored_is_current(session: Session, today: date, zone: ZoneInfo, thresholds) -> bool:
    """Whether ``call_priority_scores`` holds today's fixed-band R, F, M for this zone and bands."""
    marker = session.get(CallPriorityDay, 1)
    return (marker is not None and marker.day == today and marker.timezone == zone.key
            and marker.monetary_thresholds == thresholds_text(thresholds))


def rfm_distribution(
    session: Session, today: date, thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
    mode: str = "fixed", *, tz: ZoneInfo | str | None = None, use_stored: bool = True,
) -> RfmDistribution:
    """Count and share of buyers per segment (every segment listed, in rule order), plus the
    customers with no completed order. In fixed mode, when the stored scores are today's, one
    grouped scan of their RFM index; otherwise two grouped queries over customer_stats."""
    thresholds, mode, zone = check_thresholds(thresholds), check_mode(mode), business_tz(tz)
    counts = {segment: 0 for segment in SEGMENT_ORDER}
    if use_stored and mode == "fixed" and _stored_is_current(session, today, zone, thresholds):
        t = CallPriorityScore
        customers = 0
        for r, f, m, n in session.execute(
                select(t.rfm_r, t.rfm_f, t.rfm_m, func.count()).where(t.status != "erased")
                .group_by(t.rfm_r, t.rfm_f, t.rfm_m)):
            customers += n
            if r:  # 0: no completed order
                counts[segment_for(int(r), int(f), int(m))] += n
    else:
        rfm = _scored(session, today, zone, thresholds, mode)
        grouped = select(rfm.c.r, rfm.c.f, rfm.c.m, func.count()).group_by(rfm.c.r, rfm.c.f, rfm.c.m)
        for r, f, m, n in session.execute(grouped):
            counts[segment_for(int(r), int(f), int(m))] += n
        customers = session.scalar(select(func.count()).select_from(Customer)
                                   .where(Customer.status != "erased")) or 0
    buyers = sum(counts.values())
    return RfmDistribution(
        as_of=today, mode=mode, monetary_thresholds=thresholds, customers=customers,
        with_purchase=buyers, no_purchase=customers - buyers,
        no_purchase_share=round((customers - buyers) / customers, 4) if customers else 0.0,
        segments=[SegmentCount(segment=s, count=n, share=round(n / buyers, 4) if buyers else 0.0)
                  for s, n in counts.items()],
    )
