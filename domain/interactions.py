"""Logging an interaction: validate everything, write it, close the follow-ups it answers, rescore.

Rules written here (and nowhere else):

* ``occurred_at`` defaults to now and may not lie in the future (a 5-minute allowance for clocks).
* ``duration_seconds`` is 0 to 43,200 (12 hours).
* ``follow_up_at`` must not be in the past. A date (or a date-time at exactly 00:00 local, which
  is how a date often arrives) means that day at the customer's best time, in the customer's
  time zone: the start of the hour their successful contacts cluster in, else of their stated
  best time, else 10:00. A date of today whose best time has already passed means now (due today).
* Follow-ups (rules in ``domain.follow_ups``): this contact closes the customer's open follow-up
  when it reached them (any outcome but ``no_answer``) on or after the follow-up's day; an earlier
  contact or a no-answer leaves it open. A ``follow_up_at`` replaces the open one.
* Afterwards the customer's aggregates, temperature and lifecycle stage are recomputed in the same
  transaction (``domain.stats``); the changes are returned as (before, after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import follow_ups
from domain.call_priority.details import best_call_times
from domain.days import business_tz
from domain.enums import Direction, InteractionType, Outcome, values
from domain.errors import DomainError, NotFound
from domain.models import Customer, FollowUp, Interaction, Product
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS
from domain.stats import refresh_customer

MAX_DURATION_SECONDS = 12 * 3600
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_FOLLOW_UP_TIME = time(10, 0)
MAX_NOTES = 10_000


@dataclass
class LoggedInteraction:
    """What ``record_interaction`` did."""

    interaction: Interaction
    follow_up_at: datetime | None  # the follow-up it scheduled (aware), if any
    closed_follow_up_ids: list[int] = field(default_factory=list)  # follow_ups rows it closed
    changes: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # temperature, lifecycle_stage...
    closed_follow_ups: list[FollowUp] = field(default_factory=list)  # answered or replaced


def lock_customer(session: Session, customer_id: int) -> Customer:
    """Load a live customer and lock its row for this transaction (PostgreSQL ``FOR UPDATE``).

    Writers to one customer then queue, so their aggregate refreshes never lose each other's rows.
    SQLite needs no row lock: ``BEGIN IMMEDIATE`` already serializes every writer.
    """
    # Lock only the customers row: the assigned user is joined eagerly, and PostgreSQL refuses
    # FOR UPDATE on the nullable side of that outer join.
    customer = session.get(
        Customer, customer_id, with_for_update={"of": Customer}, populate_existing=True
    )
    if customer is None or customer.status == "erased":
        raise NotFound(f"there is no customer #{customer_id}", field="customer")
    return customer


def customer_zone(customer: Customer, business_tz: ZoneInfo) -> ZoneInfo:
    if customer.timezone:
        try:
            return ZoneInfo(customer.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return business_tz


def follow_up_moment(
    session: Session, customer: Customer, value: date | datetime, *, now: datetime, tz: ZoneInfo,
    field: str = "follow_up_at",
) -> datetime:
    """The aware moment a follow-up is due (rules in the module docstring); past ones are refused."""
    zone = customer_zone(customer, tz)
    if isinstance(value, datetime):
        if value.time() != time(0):  # midnight, as given, is a date in disguise
            moment = value if value.tzinfo else value.replace(tzinfo=tz)
            if moment < now - timedelta(minutes=1):
                raise DomainError(
                    f"{field} {moment.astimezone(tz):%Y-%m-%d %H:%M} is in the past (now is "
                    f"{now.astimezone(tz):%Y-%m-%d %H:%M}); give a future date or time",
                    field=field,
                )
            return moment
        value = value.date()
    today = now.astimezone(zone).date()
    if value < today:
        raise DomainError(
            f"{field} {value} is in the past (today is {today}); give today or a later date",
            field=field,
        )
    best = best_call_times(session, {customer.id: (customer.best_time_to_contact, zone.key)}, tz)[
        customer.id
    ]
    at = time.fromisoformat(best.window[:5]) if best.source != "default" else DEFAULT_FOLLOW_UP_TIME
    moment = datetime.combine(value, at, tzinfo=zone)
    return max(moment, now.astimezone(zone))


def _check_enum(value: str | None, enum, name: str, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise DomainError(f"{name} is required; one of: {', '.join(values(enum))}", field=name)
        return None
    text = str(value).strip().lower()
    if text not in values(enum):
        raise DomainError(
            f"{name} {value!r} is not allowed; use one of: {', '.join(values(enum))}", field=name
        )
    return text


def check_duration(duration_seconds: int | None) -> int | None:
    if duration_seconds is None:
        return None
    if isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int):
        raise DomainError(
            "duration_seconds must be a whole number of seconds", field="duration_seconds"
        )
    if duration_seconds < 0:
        raise DomainError(
            f"duration_seconds {duration_seconds} is negative; give the length of the contact "
            "in seconds (for example 300 for five minutes)",
            field="duration_seconds",
        )
    if duration_seconds > MAX_DURATION_SECONDS:
        raise DomainError(
            f"duration_seconds {duration_seconds} is over 12 hours ({MAX_DURATION_SECONDS}); "
            "give the length in seconds, not minutes or milliseconds",
            field="duration_seconds",
        )
    return duration_seconds


def _products(session: Session, product_ids: Iterable[int]) -> list[Product]:
    wanted = list(dict.fromkeys(int(p) for p in product_ids))
    if not wanted:
        return []
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}
    missing = [p for p in wanted if p not in found]
    if missing:
        raise NotFound(
            f"no product with id {', '.join(map(str, missing))} in the catalogue", field="products"
        )
    return [found[p] for p in wanted]


def record_interaction(
    session: Session,
    customer_id: int,
    *,
    user_id: int | None,
    type: str,
    notes: str,
    direction: str = "outbound",
    outcome: str | None = None,
    duration_seconds: int | None = None,
    follow_up_at: date | datetime | None = None,
    product_ids: Iterable[int] = (),
    occurred_at: datetime | None = None,
    summary: str | None = None,
    subject: str | None = None,
    idempotency_key: str | None = None,
    now: datetime,
    tz: ZoneInfo | None = None,
    monetary_thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
) -> LoggedInteraction:
    """Validate and write one interaction, close the follow-ups it answers, refresh the customer's scores.

    ``tz`` is the business time zone (naive date-times are read in it; default: ``now``'s zone).
    Nothing is written when any input is wrong. The caller owns the transaction.
    """
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    tz = tz or (now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else business_tz())
    kind = _check_enum(type, InteractionType, "type", required=True)
    way = _check_enum(direction, Direction, "direction", required=True)
    result = _check_enum(outcome, Outcome, "outcome", required=False)
    duration = check_duration(duration_seconds)
    text = (notes or "").strip()
    if not text:
        raise DomainError("notes are empty; say in a sentence what was discussed", field="notes")
    if len(text) > MAX_NOTES:
        raise DomainError(
            f"notes are longer than {MAX_NOTES} characters; shorten them", field="notes"
        )
    if subject is not None and len(subject.strip()) > 200:
        raise DomainError("subject is longer than 200 characters", field="subject")
    when = (
        now
        if occurred_at is None
        else (occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=tz))
    )
    if when > now + CLOCK_SKEW:
        raise DomainError(
            f"occurred_at {when.astimezone(tz):%Y-%m-%d %H:%M} is in the future; log contacts "
            "that happened (use follow_up_at to plan one)",
            field="occurred_at",
        )
    products = _products(session, product_ids)
    customer = lock_customer(session, customer_id)
    due = (
        follow_up_moment(session, customer, follow_up_at, now=now, tz=tz)
        if follow_up_at is not None
        else None
    )

    row = Interaction(
        customer_id=customer.id,
        user_id=user_id,
        type=kind,
        direction=way,
        outcome=result,
        notes=text,
        summary=summary,
        subject=subject.strip() if subject else None,
        duration_seconds=duration,
        occurred_at=when,
        follow_up_required=due is not None,
        follow_up_at=due,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    row.products = products
    session.add(row)
    session.flush()

    zone = customer_zone(customer, tz)
    closed: list[FollowUp] = []
    answered = follow_ups.after_contact(session, customer, row, zone)
    if answered is not None:
        closed.append(answered)
    if due is not None:
        change = follow_ups.schedule(
            session, customer.id, due, now=now, user_id=user_id, interaction_id=row.id
        )
        if change.closed is not None:
            closed.append(change.closed)

    changes = refresh_customer(session, customer.id, now.astimezone(tz).date(), now=now, tz=tz,
                               monetary_thresholds=monetary_thresholds)
    return LoggedInteraction(row, due, [f.id for f in closed], changes, closed)
