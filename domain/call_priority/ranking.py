"""Who should I call today? Rank every eligible customer, then explain the top of the list.

Ranking is set-based: one query over ``customer_stats`` (follow-ups, carts, orders), one for the
week's birthdays and anniversaries, numpy for the points (see ``scoring``). Only the entries
shown get the per-entry detail (names, follow-up notes, carts, products, best time), each as one
query over all of them.

The words (reasons, offer type, next action) come from ``wording``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.call_priority import details, scoring, stored
from domain.call_priority.details import BestCallTime, FollowUp, OpenDropoff, RecommendedProduct
from domain.call_priority.signals import CustomerSignals, DayCounter, eligibility, load_signals
from domain.call_priority.wording import Context, Factor, detail, next_action, offer_for
from domain.enums import LifecycleStage, Temperature, values
from domain.errors import DomainError
from domain.events import UpcomingEvent, upcoming_events
from domain.models import Customer, FamilyMember, User
from domain.settings import Settings, get_settings

MAX_LIMIT = 500
log = logging.getLogger(__name__)


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


def _validate(limit, temperature, lifecycle_stage, city=None) -> None:
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
    if city is not None and (not isinstance(city, str) or not city.strip()):
        raise DomainError(f"city must be a city's name, got {city!r}", field="city")


@dataclass
class Ranking:
    """Every eligible customer scored for one day: the arrays behind the list and its explanations."""

    today: date
    settings: Settings
    signals: CustomerSignals
    points: dict[str, np.ndarray]
    total: np.ndarray
    order: np.ndarray  # positions in ``signals``, best first
    follow_overdue: np.ndarray
    since_order: np.ndarray
    since_dropoff: np.ndarray
    since_not_interested: np.ndarray
    since_complaint: np.ndarray
    rfm: tuple[np.ndarray, np.ndarray, np.ndarray]
    events_by_customer: dict[int, list[UpcomingEvent]]

    def position(self, customer_id: int) -> int | None:
        found, pos = self.signals.positions(np.array([customer_id]))
        return int(pos[0]) if found[0] else None

    def rank_of(self, customer_id: int) -> int | None:
        """1-based place in the full ranking, None when not eligible."""
        i = self.position(customer_id)
        if i is None:
            return None
        return int(np.flatnonzero(self.order == i)[0]) + 1


def rank_all(
    session: Session,
    today: date,
    *,
    temperature: str | None = None,
    lifecycle_stage: str | None = None,
    assigned_to_id: int | None = None,
    city: str | None = None,
    settings: Settings | None = None,
    customer_ids: Sequence[int] | None = None,
) -> Ranking:
    """Score every eligible customer for ``today`` (eligibility in ``signals.eligibility``), or
    only the eligible ones among ``customer_ids``: each customer's points depend on their own
    rows alone, so a subset scores exactly as it does inside the whole ranking."""
    among = sorted({int(i) for i in customer_ids}) if customer_ids is not None else None
    where = eligibility(temperature, lifecycle_stage, assigned_to_id, city, among=among)
    return score(session, load_signals(session, where), today, settings or get_settings(),
                 customer_ids=customer_ids)


def score(
    session: Session, signals: CustomerSignals, today: date, settings: Settings, *,
    customer_ids: Sequence[int] | None = None,
) -> Ranking:
    """The points of the customers in ``signals`` on ``today`` (``customer_ids``: the only ones the
    signals may hold, so the week's events are read for them alone)."""
    tz = settings.tz
    big_value = 2.0 * float(settings.rfm_monetary_thresholds[0])
    days = DayCounter(today, tz)
    follow_overdue = days.days_ago(signals.next_follow_up_epoch)
    since_order = days.days_ago(signals.last_order_epoch)
    since_dropoff = days.days_ago(signals.last_dropoff_epoch)
    since_not_interested = days.days_ago(signals.last_not_interested_epoch)
    since_complaint = days.days_ago(signals.last_complaint_epoch)

    # the week's events, nearest first per customer
    events_by_customer: dict[int, list[UpcomingEvent]] = {}
    event_days = np.full(len(signals), np.nan)
    event_family = np.zeros(len(signals), dtype=bool)
    event_extra = np.zeros(len(signals))
    if len(signals):
        for event in upcoming_events(session, today, days=scoring.EVENT_WINDOW_DAYS,
                                     customer_ids=customer_ids):
            events_by_customer.setdefault(event.customer_id, []).append(event)
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
    # a negative outcome stops counting once a positive contact or an order came after it
    later_good = np.fmax(signals.last_positive_epoch, signals.last_order_epoch)
    window = settings.negative_outcome_days
    with np.errstate(invalid="ignore"):
        not_interested = scoring.recent_negative(
            since_not_interested, later_good > signals.last_not_interested_epoch, window
        )
        complaint = scoring.recent_negative(
            since_complaint, later_good > signals.last_complaint_epoch, window
        )
    lapse = settings.follow_up_lapse_days
    points = {
        "follow_up": scoring.follow_up_points(follow_overdue, lapse),
        "lapsed_follow_up": scoring.lapsed_points(follow_overdue, lapse),
        "event": scoring.event_points(event_days, event_family, event_extra),
        "temperature": scoring.temperature_points(signals.temperature),
        "dropoff": scoring.dropoff_points(
            signals.open_dropoff_count, signals.open_dropoff_value, since_dropoff, big_value
        ),
        "at_risk": scoring.at_risk_points(r, f, m),
        "not_interested": scoring.negative_points(not_interested, scoring.NOT_INTERESTED_POINTS),
        "complaint": scoring.negative_points(complaint, scoring.COMPLAINT_POINTS),
    }
    total = sum(points.values()) if len(signals) else np.zeros(0)
    order = scoring.rank_order(total, signals.total_spent, signals.ids)
    return Ranking(
        today, settings, signals, points, total, order, follow_overdue, since_order,
        since_dropoff, since_not_interested, since_complaint, (r, f, m), events_by_customer,
    )


def call_priority(
    session: Session,
    today: date,
    *,
    limit: int = 10,
    temperature: str | None = None,
    lifecycle_stage: str | None = None,
    assigned_to_id: int | None = None,
    city: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    use_stored: bool = True,
    open_dropoffs: bool = False,
) -> list[CallPriorityEntry]:
    """The ``limit`` customers to call on ``today``, best first, each with its score and reasons.

    Eligible: status active, never erased, not tagged do-not-call, matching the filters (``city``:
    the customer's city, ignoring case; ``open_dropoffs``: only customers with an open drop-off, an
    abandoned cart or a failed checkout). ``now`` (default: the start of ``today``) decides whether
    today's best call window is still ahead.
    The stored scores are read when they are today's (``stored``); ``use_stored=False`` always
    scores everybody (the same list, the slow way: for tests and the benchmark's comparison).
    """
    _validate(limit, temperature, lifecycle_stage, city)
    settings = settings or get_settings()
    # Every filter goes through ``filters``: both the stored read and the rescoring apply it. A new
    # filter the stored table has no column for must take the full computation below instead.
    filters = {"temperature": temperature, "lifecycle_stage": lifecycle_stage,
               "assigned_to_id": assigned_to_id, "city": city}
    if use_stored and not open_dropoffs and stored.is_current(session, today, settings):
        # the stored day's top N by the rank index, rescored from their own rows; the stored
        # points must agree with that (a row a write forgot to refresh falls back to the full run)
        top = stored.top(session, limit, **filters)
        if not top:
            return []
        ranking = rank_all(session, today, settings=settings,
                           customer_ids=[cid for cid, _points in top], **filters)
        if stored.agrees(ranking, top):
            return entries_for(session, ranking, ranking.order, range(1, len(top) + 1), now=now)
        log.warning("stored call priority disagrees with a rescoring; computing the full ranking")
    ranking = rank_all(session, today, settings=settings, **filters)
    if not len(ranking.signals):
        return []
    order = ranking.order
    if open_dropoffs:  # the stored table has no drop-off column: filter the full ranking
        open_counts = np.nan_to_num(ranking.signals.open_dropoff_count)
        order = order[open_counts[order] > 0]
    order = order[:limit]
    return entries_for(session, ranking, order, range(1, len(order) + 1), now=now)


def entries_for(
    session: Session, ranking: Ranking, positions, ranks, *, now: datetime | None = None
) -> list[CallPriorityEntry]:
    """Full entries (reasons, offer, products, best time) for these positions of the ranking."""
    settings, today, signals = ranking.settings, ranking.today, ranking.signals
    tz = settings.tz
    positions = [int(i) for i in positions]
    top_ids = [int(signals.ids[i]) for i in positions]
    people, homes = _people(session, top_ids, today)
    follow_ups = details.open_follow_ups(session, top_ids)
    dropoffs = details.open_dropoffs(session, top_ids)
    gifts = {cid: _gift_for(events[0]) for cid in top_ids
             if (events := ranking.events_by_customer.get(cid))}
    products = details.recommend_products(session, top_ids, today, tz, gifts=gifts, homes=homes)
    times = details.best_call_times(
        session, {cid: (people[cid]["best_time"], people[cid]["timezone"]) for cid in top_ids}, tz
    )
    now = now or datetime.combine(today, time(0), tz)
    r, f, m = ranking.rfm
    points, total = ranking.points, ranking.total

    entries = []
    for rank, i in zip(ranks, positions):
        cid = int(signals.ids[i])
        person = people[cid]
        since_order = ranking.since_order
        bought = signals.order_count[i] > 0 and not np.isnan(since_order[i])
        ctx = Context(
            today=today,
            tz=tz,
            currency=settings.currency,
            person=person,
            events=ranking.events_by_customer.get(cid, []),
            follow_up=follow_ups.get(cid),
            follow_overdue=ranking.follow_overdue[i],
            dropoffs=dropoffs.get(cid, []),
            since_dropoff=ranking.since_dropoff[i],
            open_count=int(np.nan_to_num(signals.open_dropoff_count[i])),
            open_value=float(np.nan_to_num(signals.open_dropoff_value[i])),
            spent=float(np.nan_to_num(signals.total_spent[i])),
            orders=int(np.nan_to_num(signals.order_count[i])),
            since_order=int(since_order[i]) if bought else None,
            rfm=(int(r[i]), int(f[i]), int(m[i])),
            since_not_interested=ranking.since_not_interested[i],
            since_complaint=ranking.since_complaint[i],
            complaint_open=bool(points["complaint"][i] < 0),
        )
        factors = [
            Factor(name, round(float(points[name][i]), 1), detail(name, ctx))
            for name in scoring.FACTORS
            if points[name][i] != 0
        ]
        factors.sort(key=lambda fct: -fct.points)
        offer, offer_reason = offer_for(ctx)
        picks = [] if offer == "service_call" else products.get(cid, [])
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
                recommended_products=picks,
                best_call_time=best,
                next_action=next_action(ctx, factors, offer, picks, best, now),
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


def _gift_for(event: UpcomingEvent) -> details.GiftFor:
    """The person the event offer is for (the nearest event decides the offer, see ``offer_for``)."""
    if event.kind != "birthday":
        return details.GiftFor(age=None, gender=None, words="the wedding anniversary")
    if event.is_self:
        words = "their own birthday"
    else:
        words = f"{event.relative()}'s birthday"
    if event.years is not None:
        words += f" (turns {event.years})"
    return details.GiftFor(age=event.years, gender=event.gender, words=words)


def _people(session: Session, ids: list[int], today: date) -> tuple[dict[int, dict], dict]:
    """The entries' customers (names, contacts, owner), and each one's household for the offer
    (``details.households``): one query, the customers joined to their family."""
    c, f = Customer, FamilyMember
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
            c.date_of_birth,
            c.gender,
            f.name,
            f.relationship,
            f.date_of_birth,
            f.gender,
        )
        .outerjoin(User, User.id == c.assigned_to_id)
        .outerjoin(f, f.customer_id == c.id)
        .where(c.id.in_(ids))
        .order_by(c.id, f.id)
    ).all()
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
    people = {row[0]: dict(zip(keys, row[1:10])) for row in rows}
    return people, details.household_of(((row[0], *row[10:]) for row in rows), today)
