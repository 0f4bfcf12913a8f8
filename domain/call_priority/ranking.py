"""Who should I call today? Rank every eligible customer, then explain the top of the list.

Ranking is set-based: one query over ``customer_stats`` (follow-ups, carts, orders), one for the
week's birthdays and anniversaries, numpy for the points (see ``scoring``). Only the entries
shown get the per-entry detail (names, follow-up notes, carts, products, best time), each as one
query over all of them.

The words (reasons, offer type, next action) come from ``wording``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.call_priority import details, scoring
from domain.call_priority.details import BestCallTime, FollowUp, OpenDropoff, RecommendedProduct
from domain.call_priority.signals import DayCounter, eligibility, load_signals
from domain.call_priority.wording import Context, Factor, detail, next_action, offer_for
from domain.enums import LifecycleStage, Temperature, values
from domain.errors import DomainError
from domain.events import UpcomingEvent, upcoming_events
from domain.models import Customer, User
from domain.settings import Settings, get_settings

MAX_LIMIT = 500


@dataclass(frozen=True)
class CallPriorityEntry:
    """One line of the call list; phone and email are raw (the tool layer redacts by role)."""

    rank: int
    customer_id: int
    name: str
    score: float  # 1-10
    points: float
    factors: list[Factor]
    reasons: list[str]
    temperature: str
    lifecycle_stage: str
    offer_type: str
    offer_reason: str
    recommended_products: list[RecommendedProduct]
    best_call_time: BestCallTime
    next_action: str
    events: list[UpcomingEvent]
    follow_up: FollowUp | None
    open_dropoffs: list[OpenDropoff]
    lifetime_value: float
    order_count: int
    days_since_last_order: int | None
    rfm: tuple[int, int, int] | None
    phone: str | None
    email: str | None
    assigned_to_id: int | None
    assigned_to_name: str | None


def _validate(limit, temperature, lifecycle_stage) -> None:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise DomainError(
            f"limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}", field="limit"
        )
    if temperature is not None and temperature not in values(Temperature):
        raise DomainError(
            f"unknown temperature {temperature!r}: use one of {', '.join(values(Temperature))}",
            field="temperature",
        )
    if lifecycle_stage is not None and lifecycle_stage not in values(LifecycleStage):
        raise DomainError(
            f"unknown lifecycle stage {lifecycle_stage!r}: "
            f"use one of {', '.join(values(LifecycleStage))}",
            field="lifecycle_stage",
        )


def call_priority(
    session: Session,
    today: date,
    *,
    limit: int = 10,
    temperature: str | None = None,
    lifecycle_stage: str | None = None,
    assigned_to_id: int | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[CallPriorityEntry]:
    """The ``limit`` customers to call on ``today``, best first, each with its score and reasons.

    Eligible: status active, never erased, matching the filters. ``now`` (default: the start of
    ``today``) decides whether today's best call window is still ahead.
    """
    _validate(limit, temperature, lifecycle_stage)
    settings = settings or get_settings()
    tz = settings.tz
    big_value = 2.0 * float(settings.rfm_monetary_thresholds[0])
    signals = load_signals(session, eligibility(temperature, lifecycle_stage, assigned_to_id))
    if not len(signals):
        return []
    days = DayCounter(today, tz)

    follow_overdue = days.days_ago(signals.next_follow_up_epoch)
    since_order = days.days_ago(signals.last_order_epoch)
    since_dropoff = days.days_ago(signals.last_dropoff_epoch)

    # the week's events, nearest first per customer
    week = upcoming_events(session, today, days=scoring.EVENT_WINDOW_DAYS)
    events_by_customer: dict[int, list[UpcomingEvent]] = {}
    for event in week:
        events_by_customer.setdefault(event.customer_id, []).append(event)
    event_days = np.full(len(signals), np.nan)
    event_family = np.zeros(len(signals), dtype=bool)
    event_extra = np.zeros(len(signals))
    if events_by_customer:
        cids = np.fromiter(events_by_customer, dtype=np.int64)
        found, pos = signals.positions(cids)
        nearest = [events_by_customer[c][0] for c in cids[found]]
        event_days[pos] = [e.days_until for e in nearest]
        event_family[pos] = [not e.is_self for e in nearest]
        event_extra[pos] = [len(events_by_customer[c]) - 1 for c in cids[found]]

    r, f, m = scoring.rfm_arrays(
        since_order, signals.order_count, signals.total_spent, settings.rfm_monetary_thresholds
    )
    points = {
        "follow_up": scoring.follow_up_points(follow_overdue),
        "event": scoring.event_points(event_days, event_family, event_extra),
        "temperature": scoring.temperature_points(signals.temperature),
        "dropoff": scoring.dropoff_points(
            signals.open_dropoff_count, signals.open_dropoff_value, since_dropoff, big_value
        ),
        "at_risk": scoring.at_risk_points(r, f, m),
    }
    total = sum(points.values())
    order = scoring.rank_order(total, signals.total_spent, signals.ids)[:limit]
    top_ids = [int(signals.ids[i]) for i in order]

    people = _people(session, top_ids)
    follow_ups = details.open_follow_ups(session, top_ids)
    dropoffs = details.open_dropoffs(session, top_ids)
    products = details.recommend_products(session, top_ids, today, tz)
    times = details.best_call_times(
        session, {cid: (people[cid]["best_time"], people[cid]["timezone"]) for cid in top_ids}, tz
    )
    now = now or datetime.combine(today, time(0), tz)

    entries = []
    for rank, i in enumerate(order, start=1):
        cid = int(signals.ids[i])
        person = people[cid]
        bought = signals.order_count[i] > 0 and not np.isnan(since_order[i])
        ctx = Context(
            today=today,
            tz=tz,
            currency=settings.currency,
            person=person,
            events=events_by_customer.get(cid, []),
            follow_up=follow_ups.get(cid),
            follow_overdue=follow_overdue[i],
            dropoffs=dropoffs.get(cid, []),
            since_dropoff=since_dropoff[i],
            open_count=int(np.nan_to_num(signals.open_dropoff_count[i])),
            open_value=float(np.nan_to_num(signals.open_dropoff_value[i])),
            spent=float(np.nan_to_num(signals.total_spent[i])),
            orders=int(np.nan_to_num(signals.order_count[i])),
            since_order=int(since_order[i]) if bought else None,
            rfm=(int(r[i]), int(f[i]), int(m[i])),
        )
        factors = [
            Factor(name, round(float(points[name][i]), 1), detail(name, ctx))
            for name in scoring.FACTORS
            if points[name][i] > 0
        ]
        factors.sort(key=lambda fct: -fct.points)
        offer, offer_reason = offer_for(ctx)
        best = times[cid]
        entries.append(
            CallPriorityEntry(
                rank=rank,
                customer_id=cid,
                name=person["name"],
                score=round(float(scoring.score_from_points(total[i])), 1),
                points=round(float(total[i]), 1),
                factors=factors,
                reasons=[fct.detail for fct in factors],
                temperature=person["temperature"],
                lifecycle_stage=person["lifecycle_stage"],
                offer_type=offer,
                offer_reason=offer_reason,
                recommended_products=products.get(cid, []),
                best_call_time=best,
                next_action=next_action(ctx, factors, offer, products.get(cid, []), best, now),
                events=ctx.events,
                follow_up=ctx.follow_up,
                open_dropoffs=ctx.dropoffs,
                lifetime_value=ctx.spent,
                order_count=ctx.orders,
                days_since_last_order=ctx.since_order,
                rfm=ctx.rfm if bought else None,
                phone=person["phone"],
                email=person["email"],
                assigned_to_id=person["assigned_to_id"],
                assigned_to_name=person["assigned_to_name"],
            )
        )
    return entries


def _people(session: Session, ids: list[int]) -> dict[int, dict]:
    c = Customer
    rows = session.execute(
        select(
            c.id,
            c.name,
            c.phone,
            c.email,
            c.temperature,
            c.lifecycle_stage,
            c.best_time_to_contact,
            c.timezone,
            c.assigned_to_id,
            User.name,
        )
        .outerjoin(User, User.id == c.assigned_to_id)
        .where(c.id.in_(ids))
    )
    keys = (
        "name",
        "phone",
        "email",
        "temperature",
        "lifecycle_stage",
        "best_time",
        "timezone",
        "assigned_to_id",
        "assigned_to_name",
    )
    return {row[0]: dict(zip(keys, row[1:])) for row in rows}
