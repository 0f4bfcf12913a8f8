"""The manager's numbers: the customer base by type, lifecycle and temperature with lifetime value,
and the team's activity over a period (contacts logged, follow-ups due and overdue, carts recovered).

Counts are over live customers (status active or inactive; erased ones are gone). Each figure is
one grouped query; nothing is sampled.

Per agent, over the period ``since``..``until`` (business-local days, both included):
  contacts_logged / calls_logged   interactions they logged that happened in the period
  follow_ups_due                   open follow-ups of their customers due by ``until``, not lapsed
  follow_ups_overdue               of those, the ones due before today
  follow_ups_lapsed                open ones overdue by more than the lapse window
  carts_recovered / value_recovered  drop-offs they marked recovered in the period, cart values
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.enums import CustomerType, LifecycleStage, Temperature, values
from domain.errors import DomainError
from domain.models import Customer, CustomerStats, Dropoff, FollowUp, Interaction, User

MAX_PERIOD_DAYS = 366


@dataclass
class AgentActivity:
    user_id: int | None  # None: unassigned customers / not attributed
    name: str
    contacts_logged: int = 0
    calls_logged: int = 0
    follow_ups_due: int = 0
    follow_ups_overdue: int = 0
    follow_ups_lapsed: int = 0
    carts_recovered: int = 0
    value_recovered: float = 0.0


@dataclass
class Dashboard:
    since: date
    until: date
    customers: int
    by_type: dict[str, int]
    by_lifecycle: dict[str, int]
    by_temperature: dict[str, int]
    lifetime_value_total: float
    lifetime_value_average: float  # over customers with a completed order
    buyers: int
    team: list[AgentActivity] = field(default_factory=list)
    totals: AgentActivity | None = None


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def dashboard(
    session: Session, today: date, *, since: date | None = None, until: date | None = None,
    tz: ZoneInfo, lapse_days: int = 30,
) -> Dashboard:
    """The counts and the team's activity for ``since``..``until`` (default: the last 7 days)."""
    until = until or today
    since = since or (until - timedelta(days=6))
    if since > until:
        raise DomainError(f"since {since} is after until {until}; swap them", field="since")
    if (until - since).days >= MAX_PERIOD_DAYS:
        raise DomainError(f"the period is longer than {MAX_PERIOD_DAYS} days; pick a shorter one",
                          field="since")
    live = Customer.status != "erased", Customer.erased_at.is_(None)

    def grouped(column, names) -> dict[str, int]:
        counts = dict(session.execute(select(column, func.count()).where(*live).group_by(column)).all())
        return {n: int(counts.get(n, 0)) for n in names}

    by_type = grouped(Customer.customer_type, values(CustomerType))
    by_lifecycle = grouped(Customer.lifecycle_stage, values(LifecycleStage))
    by_temperature = grouped(Customer.temperature, values(Temperature))
    total, buyers, spent = session.execute(
        select(func.count(Customer.id),
               func.count(CustomerStats.customer_id).filter(CustomerStats.order_count > 0),
               func.coalesce(func.sum(CustomerStats.total_spent), 0))
        .select_from(Customer).outerjoin(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(*live)
    ).one()
    spent = float(spent or 0)

    start, end = _day_start(since, tz), _day_start(until + timedelta(days=1), tz)
    names = dict(session.execute(select(User.id, User.name)).all())
    team: dict[int | None, AgentActivity] = {}

    def row(uid: int | None) -> AgentActivity:
        if uid not in team:
            team[uid] = AgentActivity(uid, names.get(uid, "unassigned") if uid else "unassigned")
        return team[uid]

    for uid, n, calls in session.execute(
        select(Interaction.user_id, func.count(),
               func.count().filter(Interaction.type == "call"))
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(*live, Interaction.occurred_at >= start, Interaction.occurred_at < end,
               Interaction.user_id.is_not(None))
        .group_by(Interaction.user_id)
    ):
        row(uid).contacts_logged, row(uid).calls_logged = int(n), int(calls)

    today_start = _day_start(today, tz)
    lapse_start = _day_start(today - timedelta(days=lapse_days), tz)
    for uid, due, overdue, lapsed in session.execute(
        select(Customer.assigned_to_id,
               func.count().filter(FollowUp.due_at < end, FollowUp.due_at >= lapse_start),
               func.count().filter(FollowUp.due_at < today_start, FollowUp.due_at >= lapse_start),
               func.count().filter(FollowUp.due_at < lapse_start))
        .join(Customer, Customer.id == FollowUp.customer_id)
        .where(*live, Customer.status == "active", FollowUp.closed_at.is_(None))
        .group_by(Customer.assigned_to_id)
    ):
        a = row(uid)
        a.follow_ups_due, a.follow_ups_overdue, a.follow_ups_lapsed = int(due), int(overdue), int(lapsed)

    for uid, n, value in session.execute(
        select(Dropoff.recovered_by_id, func.count(), func.coalesce(func.sum(Dropoff.cart_value), 0))
        .join(Customer, Customer.id == Dropoff.customer_id)
        .where(*live, Dropoff.recovered.is_(True), Dropoff.recovered_at >= start,
               Dropoff.recovered_at < end)
        .group_by(Dropoff.recovered_by_id)
    ):
        row(uid).carts_recovered, row(uid).value_recovered = int(n), float(value or 0)

    ordered = sorted(team.values(), key=lambda a: (a.user_id is None, a.name))
    totals = AgentActivity(None, "team")
    sums: dict[str, float] = defaultdict(float)
    for a in ordered:
        for name in ("contacts_logged", "calls_logged", "follow_ups_due", "follow_ups_overdue",
                     "follow_ups_lapsed", "carts_recovered", "value_recovered"):
            sums[name] += getattr(a, name)
    for name, value in sums.items():
        setattr(totals, name, value if name == "value_recovered" else int(value))
    return Dashboard(
        since=since, until=until, customers=int(total), by_type=by_type, by_lifecycle=by_lifecycle,
        by_temperature=by_temperature, lifetime_value_total=round(spent, 2),
        lifetime_value_average=round(spent / buyers, 2) if buyers else 0.0, buyers=int(buyers),
        team=ordered, totals=totals,
    )
