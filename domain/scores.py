"""Per-customer scores: temperature, lifecycle stage, customer type, engagement, health, churn.

Pure rules, no database. "Days since" inputs are whole calendar days in the business time zone
(``None`` = never happened). Temperature, lifecycle stage and customer type are written once, with
numpy, so the same code scores one customer (the scalar wrappers) and 100,000 customers at once
(``*_codes`` functions, NaN = never); the rules, first match wins:

Temperature
  hot   last completed order within 14 days, or a positive contact (interested / purchased /
        resolved) within 14 days, or an add-to-cart / wishlist in the last 7 days, or 5+ product
        views in the last 7 days, or an open drop-off from the last 7 days
  warm  last order within 90 days, or a positive contact within 90 days, or an inbound message
        within 30 days, or any browsing in the last 30 days, or an open drop-off from the last 30
  cold  nothing of the above: no purchase, no positive contact for 90+ days, no recent browsing

Lifecycle stage
  inactive      has bought, but not for 180+ days
  loyal         5+ completed orders and the last one within 90 days
  repeat_buyer  2+ orders (2-4, or 5+ whose last is 90-179 days old)
  first_buyer   exactly one order
  prospect      no order, but contacted or engaged (browsing in the last 30 days, an open drop-off)
  lead          no order, no contact, no engagement

Customer type
  inactive  has bought, but not for 180+ days
  vip       lifetime completed spend >= ``vip_spend`` (default 50,000: ten times the top RFM
            monetary threshold)
  repeat    2+ completed orders
  new       no or one completed order
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from domain.enums import CustomerType, LifecycleStage, Temperature
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS, frequency_score, monetary_score

HOT_DAYS = 14
HOT_WINDOW_DAYS = 7
HOT_VIEWS = 5
WARM_DAYS = 90
WARM_INBOUND_DAYS = 30
WARM_WINDOW_DAYS = 30
INACTIVE_DAYS = 180
LOYAL_MIN_ORDERS = 5
LOYAL_RECENT_DAYS = 90
VIP_SPEND_MULTIPLE = 10


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def temperature_codes(
    days_since_order, days_since_positive, views_7d, carts_7d, events_30d,
    days_since_dropoff, days_since_inbound,
) -> np.ndarray:
    """Vectorized temperature (arrays; NaN days = never). Rules in the module docstring."""
    order, positive = np.asarray(days_since_order, float), np.asarray(days_since_positive, float)
    dropoff, inbound = np.asarray(days_since_dropoff, float), np.asarray(days_since_inbound, float)
    views, carts, events = (np.asarray(x, float) for x in (views_7d, carts_7d, events_30d))
    hot = (
        (order <= HOT_DAYS) | (positive <= HOT_DAYS) | (carts >= 1) | (views >= HOT_VIEWS)
        | (dropoff <= HOT_WINDOW_DAYS)
    )
    warm = (
        (order <= WARM_DAYS) | (positive <= WARM_DAYS) | (inbound <= WARM_INBOUND_DAYS)
        | (events >= 1) | (dropoff <= WARM_WINDOW_DAYS)
    )
    return np.select([hot, warm], [Temperature.hot.value, Temperature.warm.value],
                     Temperature.cold.value)


def temperature(
    days_since_order: int | None, days_since_positive: int | None = None, *,
    views_7d: int = 0, carts_7d: int = 0, events_30d: int = 0,
    days_since_dropoff: int | None = None, days_since_inbound: int | None = None,
) -> Temperature:
    """Hot / warm / cold. ``carts_7d`` counts add-to-cart and wishlist events; ``events_30d`` all
    browsing events (views, carts, wishlists, searches); ``days_since_dropoff`` the newest open
    drop-off."""
    code = temperature_codes(
        _nan(days_since_order), _nan(days_since_positive), views_7d, carts_7d,
        max(events_30d, views_7d, carts_7d), _nan(days_since_dropoff), _nan(days_since_inbound),
    )
    return Temperature(str(code))


def lifecycle_codes(order_count, days_since_order, interaction_count, engaged) -> np.ndarray:
    """Vectorized lifecycle stage (rules in the module docstring)."""
    orders, days = np.asarray(order_count, float), np.asarray(days_since_order, float)
    contacted = np.asarray(interaction_count, float) > 0
    return np.select(
        [
            (orders >= 1) & (days >= INACTIVE_DAYS),
            (orders >= LOYAL_MIN_ORDERS) & (days <= LOYAL_RECENT_DAYS),
            orders >= 2,
            orders == 1,
            contacted | np.asarray(engaged, bool),
        ],
        [LifecycleStage.inactive.value, LifecycleStage.loyal.value,
         LifecycleStage.repeat_buyer.value, LifecycleStage.first_buyer.value,
         LifecycleStage.prospect.value],
        LifecycleStage.lead.value,
    )


def lifecycle_stage(
    order_count: int, days_since_last_order: int | None, interaction_count: int = 0,
    engaged: bool = False,
) -> LifecycleStage:
    """lead / prospect / first_buyer / repeat_buyer / loyal / inactive. ``engaged``: browsed in
    the last 30 days or has an open drop-off."""
    return LifecycleStage(str(lifecycle_codes(
        order_count, _nan(days_since_last_order), interaction_count, engaged)))


def vip_spend_for(thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS) -> float:
    """The lifetime spend that makes a VIP: ten times the top monetary threshold."""
    return VIP_SPEND_MULTIPLE * float(thresholds[0])


def customer_type_codes(order_count, total_spent, days_since_order, vip_spend: float) -> np.ndarray:
    """Vectorized customer type (rules in the module docstring)."""
    orders, days = np.asarray(order_count, float), np.asarray(days_since_order, float)
    return np.select(
        [(orders >= 1) & (days >= INACTIVE_DAYS), np.asarray(total_spent, float) >= vip_spend,
         orders >= 2],
        [CustomerType.inactive.value, CustomerType.vip.value, CustomerType.repeat.value],
        CustomerType.new.value,
    )


def customer_type(
    order_count: int, total_spent: float, days_since_last_order: int | None,
    vip_spend: float = vip_spend_for(),
) -> CustomerType:
    """new / repeat / vip / inactive."""
    return CustomerType(str(customer_type_codes(
        order_count, total_spent, _nan(days_since_last_order), vip_spend)))


def engagement_score(
    days_since_last_interaction: int | None, interactions_90d: int = 0, responses_90d: int = 0,
    events_30d: int = 0,
) -> float:
    """0-100, the sum of four capped parts:

    - contact recency, 35: full within a day, falling linearly to 0 at 90 days (never: 0);
    - contact volume, 25: interactions in the last 90 days, full at 6;
    - responsiveness, 20: inbound messages or positive outcomes in the last 90 days, full at 4;
    - digital activity, 20: browsing events (views, carts, wishlists, searches) in 30 days, full
      at 10.
    """
    recency = 0.0 if days_since_last_interaction is None else 35 * _clip(
        1 - days_since_last_interaction / 90)
    volume = 25 * min(max(interactions_90d, 0), 6) / 6
    responses = 20 * min(max(responses_90d, 0), 4) / 4
    digital = 20 * min(max(events_30d, 0), 10) / 10
    return round(recency + volume + responses + digital, 1)


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return min(max(x, lo), hi)


class HealthFactors(BaseModel):
    """Each factor 0-100."""

    model_config = ConfigDict(frozen=True)
    purchase: float
    engagement: float
    support: float
    recency: float


class HealthScore(BaseModel):
    model_config = ConfigDict(frozen=True)
    score: float
    level: str  # excellent / good / fair / poor
    factors: HealthFactors


HEALTH_WEIGHTS = {"purchase": 0.35, "recency": 0.30, "engagement": 0.20, "support": 0.15}
HEALTH_LEVELS = ((75, "excellent"), (55, "good"), (35, "fair"))


def health_score(
    order_count: int, total_spent: float, days_since_last_order: int | None, engagement: float, *,
    open_tickets: int = 0, overdue_tickets: int = 0, complaints_90d: int = 0,
    csat_average: float | None = None, thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
) -> HealthScore:
    """0-100 = 35% purchase + 30% recency + 20% engagement + 15% support; level excellent >= 75,
    good >= 55, fair >= 35, else poor.

    - purchase: RFM frequency and monetary scores, (F - 1 + M - 1) / 8 (no order: 0);
    - recency: 100 up to 30 days since the last order, falling linearly to 0 at 365 (never: 0);
    - engagement: the engagement score;
    - support: 100, minus 20 per open ticket (up to 3), 20 per ticket past its SLA (up to 2), 15 per
      complaint in the last 90 days (up to 3), plus 10 per CSAT point above 3 (minus below).
    """
    if order_count > 0:
        f, m = frequency_score(order_count), monetary_score(total_spent, thresholds)
        purchase = 100 * (f + m - 2) / 8
    else:
        purchase = 0.0
    recency = 0.0 if days_since_last_order is None else 100 * _clip(
        1 - (days_since_last_order - 30) / 335)
    support = (100 - 20 * min(open_tickets, 3) - 20 * min(overdue_tickets, 2)
               - 15 * min(complaints_90d, 3))
    if csat_average is not None:
        support += 10 * (csat_average - 3)
    factors = HealthFactors(
        purchase=round(purchase, 1), recency=round(recency, 1),
        engagement=round(_clip(engagement, 0, 100), 1), support=round(_clip(support, 0, 100), 1),
    )
    score = round(sum(getattr(factors, name) * w for name, w in HEALTH_WEIGHTS.items()), 1)
    level = next((name for floor, name in HEALTH_LEVELS if score >= floor), "poor")
    return HealthScore(score=score, level=level, factors=factors)


class ChurnRisk(BaseModel):
    model_config = ConfigDict(frozen=True)
    probability: float
    level: str  # low / medium / high
    drivers: list[str]
    suggestions: list[str]


CHURN_LEVELS = ((0.6, "high"), (0.3, "medium"))


def churn_probability(
    days_since_last_order, order_count, average_gap_days=None, days_since_contact=None,
    complaints_90d=0, engagement=0.0,
) -> float:
    """Logistic risk, 0-1. The log-odds start at -3 and add:
    +0.018 per day without a purchase (capped at 365), +0.9 per usual purchase gap overdue
    (beyond the first, capped at 3), -0.15 per completed order (capped at 10), +0.01 per day
    without contact (capped at 120; never contacted counts 120), +0.5 per complaint in 90 days
    (capped at 3), -1 x engagement / 100. Never bought: days since the customer joined."""
    days = min(max(days_since_last_order, 0), 365)
    x = -3.0 + 0.018 * days - 0.15 * min(order_count, 10)
    if average_gap_days:
        x += 0.9 * _clip(days_since_last_order / average_gap_days - 1, 0, 3)
    x += 0.01 * (120 if days_since_contact is None else min(max(days_since_contact, 0), 120))
    x += 0.5 * min(complaints_90d, 3) - _clip(engagement, 0, 100) / 100
    return 1 / (1 + math.exp(-x))


def churn_risk(
    days_since_last_order: int | None, order_count: int, *, average_gap_days: float | None = None,
    days_since_contact: int | None = None, complaints_90d: int = 0, engagement: float = 0.0,
    tenure_days: int = 0,
) -> ChurnRisk:
    """Probability (``churn_probability``), level (high >= 0.6, medium >= 0.3, else low), the
    drivers behind it in words and numbers, and what to do about each."""
    never_bought = days_since_last_order is None
    days = tenure_days if never_bought else days_since_last_order
    gap = average_gap_days if order_count >= 2 and average_gap_days else None
    p = round(churn_probability(days, order_count, gap, days_since_contact, complaints_90d,
                                engagement), 3)
    level = next((name for floor, name in CHURN_LEVELS if p >= floor), "low")
    drivers: list[str] = []
    suggestions: list[str] = []
    if never_bought and days >= 30:
        drivers.append(f"no purchase since joining {days} days ago")
        suggestions.append("make a first-purchase offer on the products they looked at")
    elif not never_bought and days >= 60:
        drivers.append(f"no purchase for {days} days")
        suggestions.append("call with a time-limited reactivation offer on their usual category")
    if gap and days > 1.5 * gap:
        drivers.append(
            f"last order {days} days ago, {days / gap:.1f}x their usual {gap:.0f}-day gap")
        suggestions.append("remind them of what they usually reorder")
    if days_since_contact is None:
        drivers.append("never contacted")
        suggestions.append("introduce yourself with a personal call from the assigned agent")
    elif days_since_contact >= 45:
        drivers.append(f"no contact for {days_since_contact} days")
        suggestions.append("personal call from the assigned agent this week")
    if complaints_90d:
        plural = "s" if complaints_90d > 1 else ""
        drivers.append(f"{complaints_90d} complaint{plural} in the last 90 days")
        suggestions.append("resolve the complaint first; sell only once they are satisfied")
    if engagement < 25:
        drivers.append(f"low engagement (score {engagement:.0f}/100)")
        suggestions.append("re-engage on their preferred channel with something useful, not a sale")
    if level == "low" and not suggestions:
        suggestions.append("keep the usual rhythm; suggest a complementary product")
    return ChurnRisk(probability=p, level=level, drivers=drivers, suggestions=suggestions)
