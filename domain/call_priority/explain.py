"""Why is X on my call list, or why not: answered from the ranking itself.

The same ``rank_all`` the list uses scores the customer; the answer is their factors with points,
their rank, or the first rule that kept them off, in this order:

  not_eligible        not active (inactive, erased): nobody calls them from a list
  do_not_call         tagged ``do-not-call``: never on a call list
  filtered            the list asked for a temperature, lifecycle stage or city they do not have
  assigned_elsewhere  the list is "my customers" and they are assigned to someone else (or nobody)
  below_cut           eligible and matching, but ranked after the list's last place
  on_list             on the list, at this rank
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.call_priority.ranking import CallPriorityEntry, _validate, entries_for, rank_all
from domain.call_priority.signals import DO_NOT_CALL_TAG
from domain.errors import NotFound
from domain.models import Customer, Tag, User
from domain.settings import Settings, get_settings


@dataclass(frozen=True)
class Explanation:
    customer_id: int
    name: str
    rule: str  # on_list | below_cut | filtered | assigned_elsewhere | do_not_call | not_eligible
    reason: str  # the rule in words
    rank: int | None  # on the list asked about (with its filters), when they match them
    eligible_count: int  # customers on that ranking
    overall_rank: int | None  # among every eligible customer, no filters
    overall_count: int
    limit: int
    cut_points: float | None  # points of the list's last place
    entry: CallPriorityEntry | None  # factors, points, score, offer: None when not eligible


def explain(
    session: Session,
    customer_id: int,
    today: date,
    *,
    limit: int = 10,
    temperature: str | None = None,
    lifecycle_stage: str | None = None,
    assigned_to_id: int | None = None,
    city: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Explanation:
    """Why ``customer_id`` is or is not on the call list these arguments would give."""
    _validate(limit, temperature, lifecycle_stage, city)
    settings = settings or get_settings()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"there is no customer #{customer_id}", field="customer")
    name = customer.name
    if customer.status != "active" or customer.erased_at is not None:
        status = "erased" if customer.erased_at is not None else customer.status
        return Explanation(customer_id, name, "not_eligible",
                           f"{name}'s status is {status}: only active customers are on call lists",
                           None, 0, None, 0, limit, None, None)
    if session.scalar(select(Tag.id).where(Tag.customer_id == customer_id, Tag.tag == DO_NOT_CALL_TAG)):
        return Explanation(customer_id, name, "do_not_call",
                           f"{name} is tagged {DO_NOT_CALL_TAG}: never on a call list",
                           None, 0, None, 0, limit, None, None)

    overall = rank_all(session, today, settings=settings)
    position = overall.position(customer_id)
    entry = entries_for(session, overall, [position], [overall.rank_of(customer_id)], now=now)[0]
    filters = (temperature, lifecycle_stage, assigned_to_id, city)
    ranking = overall
    if any(f is not None for f in filters):
        ranking = rank_all(session, today, temperature=temperature, lifecycle_stage=lifecycle_stage,
                           assigned_to_id=assigned_to_id, city=city, settings=settings)
    count = len(ranking.signals)
    cut = float(ranking.total[ranking.order[min(limit, count) - 1]]) if count else None
    base = dict(customer_id=customer_id, name=name, eligible_count=count,
                overall_rank=entry.rank, overall_count=len(overall.signals), limit=limit,
                cut_points=None if cut is None else round(cut, 1), entry=entry)

    if temperature is not None and customer.temperature != temperature:
        return Explanation(rule="filtered", rank=None, **base,
                           reason=f"the list is {temperature} customers only and {name} is "
                                  f"{customer.temperature}")
    if lifecycle_stage is not None and customer.lifecycle_stage != lifecycle_stage:
        stage = lifecycle_stage.replace("_", " ")
        return Explanation(rule="filtered", rank=None, **base,
                           reason=f"the list is {stage} customers only and {name} is "
                                  f"{customer.lifecycle_stage.replace('_', ' ')}")
    if city is not None and (customer.city or "").strip().lower() != city.strip().lower():
        return Explanation(rule="filtered", rank=None, **base,
                           reason=f"the list is customers in {city.strip()} only and {name} is "
                                  + (f"in {customer.city}" if customer.city else "in no city on record"))
    if assigned_to_id is not None and customer.assigned_to_id != assigned_to_id:
        owner = session.get(User, customer.assigned_to_id) if customer.assigned_to_id else None
        whose = f"assigned to {owner.name}" if owner else "not assigned to anyone"
        return Explanation(rule="assigned_elsewhere", rank=None, **base,
                           reason=f"the list is your customers only and {name} is {whose}")
    rank = ranking.rank_of(customer_id)
    if rank is not None and rank <= limit:
        return Explanation(rule="on_list", rank=rank, **base,
                           reason=f"{name} is #{rank} of the {min(limit, count)} on the list")
    return Explanation(rule="below_cut", rank=rank, **base,
                       reason=f"{name} ranks #{rank} of {count:,}, after the list's {limit} places "
                              f"({entry.points:g} points; #{limit} has {base['cut_points']:g})")
