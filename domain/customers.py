"""Writing customers: create, update, tags, consent and quiet hours, each validated before anything is written.

Every function checks all of its input first and raises ``DomainError`` (or ``Conflict`` /
``NotFound``) naming the field and how to fix it; only then does it touch the session. The caller
owns the transaction (these functions flush, they never commit).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.enums import AccountKind, Channel, CustomerType, LifecycleStage, values
from domain.errors import Conflict, DomainError, NotFound
from domain.models import ChannelConsent, ConsentEvent, Customer, Tag, User
from domain.phone import normalize_phone

GENDERS = ("male", "female", "other")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed")
STATUSES = ("active", "inactive")
LANGUAGES = ("bn", "en")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
OLDEST_BIRTH_YEAR = 1900

# Fields a caller may set, with the rule that checks each one.
TEXT_LIMITS = {
    "name": 200,
    "company": 200,
    "city": 100,
    "district": 100,
    "address": 2000,
    "profession": 100,
    "best_time_to_contact": 60,
    "source": 60,
    "external_key": 100,
}
ENUM_FIELDS: dict[str, tuple[str, ...]] = {
    "gender": GENDERS,
    "marital_status": MARITAL_STATUSES,
    "customer_type": tuple(values(CustomerType)),
    "account_kind": tuple(values(AccountKind)),
    "status": STATUSES,
    "lifecycle_stage": tuple(values(LifecycleStage)),
    "language": LANGUAGES,
    "preferred_channel": tuple(values(Channel)),
}
DATE_FIELDS = ("date_of_birth", "anniversary_date")
OTHER_FIELDS = ("phone", "email", "timezone", "assigned_to_id")
CUSTOMER_FIELDS = frozenset((*TEXT_LIMITS, *ENUM_FIELDS, *DATE_FIELDS, *OTHER_FIELDS))


def parse_date(value: Any, field: str) -> date | None:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` string; empty means None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{field}: {value!r} is not a date; write it as YYYY-MM-DD", field=field) from None


def parse_time(value: Any, field: str) -> time | None:
    """A time of day from a ``time`` or an ``HH:MM`` string; empty means None."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(
            f"{field}: {value!r} is not a time of day; write it as HH:MM", field=field
        ) from None


def clean_customer_fields(
    raw: Mapping[str, Any], *, today: date, region: str = "BD", base: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[DomainError]]:
    """Check and normalize customer fields; returns the clean values and every problem found.

    ``base`` holds the values already stored (for updates), so cross-field rules such as
    "anniversary after birth" see the merged record. Empty strings clear optional fields.
    """
    clean: dict[str, Any] = {}
    problems: list[DomainError] = []
    unknown = sorted(set(raw) - CUSTOMER_FIELDS)
    if unknown:
        problems.append(
            DomainError(
                f"unknown customer field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(CUSTOMER_FIELDS))}",
                field=unknown[0],
            )
        )
    for field, value in raw.items():
        if field not in CUSTOMER_FIELDS:
            continue
        try:
            clean[field] = _clean_one(field, value, today=today, region=region)
        except DomainError as exc:
            problems.append(exc)
    merged = {**(base or {}), **clean}
    if "name" in raw and not clean.get("name") and not any(p.field == "name" for p in problems):
        problems.append(DomainError("name is required", field="name"))
    dob, anniversary = merged.get("date_of_birth"), merged.get("anniversary_date")
    if isinstance(dob, date) and isinstance(anniversary, date) and anniversary < dob:
        problems.append(
            DomainError(
                f"anniversary_date {anniversary} is before date_of_birth {dob}; check both dates",
                field="anniversary_date",
            )
        )
    return clean, problems


def _clean_one(field: str, value: Any, *, today: date, region: str) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split()) if field != "address" else value.strip()
    if field in TEXT_LIMITS:
        if value in (None, ""):
            return None
        text = str(value)
        if len(text) > TEXT_LIMITS[field]:
            raise DomainError(f"{field} is longer than {TEXT_LIMITS[field]} characters", field=field)
        return text
    if field in ENUM_FIELDS:
        if value in (None, ""):
            if field in ("customer_type", "account_kind", "status", "lifecycle_stage"):
                raise DomainError(
                    f"{field} cannot be empty; one of {', '.join(ENUM_FIELDS[field])}", field=field
                )
            return None
        text = "_".join(str(value).strip().lower().split())
        if text not in ENUM_FIELDS[field]:
            raise DomainError(
                f"{field} {value!r} is not allowed; use one of: {', '.join(ENUM_FIELDS[field])}", field=field
            )
        return text
    if field in DATE_FIELDS:
        day = parse_date(value, field)
        if day is None:
            return None
        if day > today:
            raise DomainError(f"{field} {day} is in the future (today is {today})", field=field)
        if day.year < OLDEST_BIRTH_YEAR:
            raise DomainError(f"{field} {day} is before {OLDEST_BIRTH_YEAR}; check the year", field=field)
        return day
    if field == "phone":
        return None if value in (None, "") else normalize_phone(str(value), region)
    if field == "email":
        if value in (None, ""):
            return None
        email = str(value).strip().lower()
        if not EMAIL_RE.match(email) or len(email) > 255:
            raise DomainError(
                f"{value!r} is not a valid email address (like name@example.com)", field="email"
            )
        return email
    if field == "timezone":
        if value in (None, ""):
            return None
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise DomainError(
                f"timezone {value!r} is unknown; use an IANA name like Asia/Dhaka", field="timezone"
            ) from None
        return str(value)
    if field == "assigned_to_id":
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DomainError(f"assigned_to_id {value!r} is not a user id", field="assigned_to_id") from None
    raise AssertionError(field)  # pragma: no cover - CUSTOMER_FIELDS and the branches agree


def _raise_first(problems: list[DomainError]) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    raise DomainError("; ".join(p.message for p in problems), field=problems[0].field)


def _check_unique(session: Session, clean: Mapping[str, Any], *, exclude_id: int | None = None) -> None:
    """Phone, email and external key each identify one customer; refuse a second one."""
    for field in ("phone", "email", "external_key"):
        value = clean.get(field)
        if not value:
            continue
        column = getattr(Customer, field)
        query = select(Customer.id, Customer.name).where(column == value, Customer.status != "erased")
        if exclude_id is not None:
            query = query.where(Customer.id != exclude_id)
        clash = session.execute(query.limit(1)).first()
        if clash:
            raise Conflict(
                f"{field} {value} already belongs to customer {clash.id} ({clash.name}); "
                "update that customer instead",
                field=field,
            )


def _check_user(session: Session, user_id: int | None) -> None:
    if user_id is not None and session.get(User, user_id) is None:
        raise NotFound(f"no user with id {user_id} to assign the customer to", field="assigned_to_id")


def get_customer(session: Session, customer_id: int) -> Customer:
    """The customer with this id, or ``NotFound``."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.status == "erased":
        raise NotFound(f"no customer with id {customer_id}", field="customer_id")
    return customer


def _rescore(session: Session, customer_id: int) -> None:
    """The stored call priority reads this customer's fields: keep it current in this transaction."""
    from domain.call_priority.stored import refresh_scores  # it imports this module's neighbours

    refresh_scores(session, [customer_id])


def create_customer(
    session: Session,
    *,
    name: str,
    today: date,
    region: str = "BD",
    created_at: datetime | None = None,
    **fields: Any,
) -> Customer:
    """Validate and add one customer (phone to E.164, email lower-cased); returns the flushed row."""
    clean, problems = clean_customer_fields({"name": name, **fields}, today=today, region=region)
    _raise_first(problems)
    _check_unique(session, clean)
    _check_user(session, clean.get("assigned_to_id"))
    if created_at is not None and created_at.tzinfo is None:
        raise DomainError("created_at must carry a time zone", field="created_at")
    customer = Customer(**clean)
    if created_at is not None:
        customer.created_at = customer.updated_at = created_at
    session.add(customer)
    session.flush()
    _rescore(session, customer.id)
    return customer


def update_customer(
    session: Session, customer_id: int, *, today: date, region: str = "BD", **changes: Any
) -> Customer:
    """Validate and apply changes to one customer; fields not given stay as they are."""
    customer = get_customer(session, customer_id)
    if not changes:
        raise DomainError("nothing to update: give at least one field")
    base = {f: getattr(customer, f) for f in DATE_FIELDS}
    clean, problems = clean_customer_fields(changes, today=today, region=region, base=base)
    _raise_first(problems)
    _check_unique(session, clean, exclude_id=customer.id)
    _check_user(session, clean.get("assigned_to_id"))
    if "lifecycle_stage" in clean:
        customer.lifecycle_locked = True  # set by hand: the automatic rules leave it alone
    for field, value in clean.items():
        setattr(customer, field, value)
    session.flush()
    _rescore(session, customer.id)
    return customer


MAX_TAG_CHARS = 50


def normalize_tag(tag: str, field: str = "tag") -> str:
    """Tags compare case- and space-insensitively: ``" #Eid  Shopper"`` -> ``"eid-shopper"``."""
    text = "-".join(str(tag or "").strip().lstrip("#").lower().replace("_", " ").split())
    if not text:
        raise DomainError(f"{field}: a tag is empty; give a word such as eid-shopper", field=field)
    if len(text) > MAX_TAG_CHARS:
        raise DomainError(
            f"{field}: tag {text[:20]!r}... is {len(text)} characters; tags hold at most "
            f"{MAX_TAG_CHARS}", field=field,
        )
    if any(not (ch.isalnum() or ch in "-&+.'" or unicodedata.category(ch).startswith("M"))
           for ch in text):  # marks: Bangla vowel signs are not alphanumeric on their own
        raise DomainError(
            f"{field}: tag {text!r} may hold only letters, digits and - & + . '", field=field
        )
    return text


def add_tag(session: Session, customer_id: int, tag: str) -> Tag:
    """Tag a customer; a tag the customer already has is a ``Conflict``."""
    text = normalize_tag(tag)
    get_customer(session, customer_id)
    exists = session.scalar(select(Tag.id).where(Tag.customer_id == customer_id, Tag.tag == text))
    if exists:
        raise Conflict(f"customer {customer_id} already has the tag {text!r}", field="tag")
    row = Tag(customer_id=customer_id, tag=text)
    session.add(row)
    session.flush()
    _rescore(session, customer_id)
    return row


def remove_tag(session: Session, customer_id: int, tag: str) -> None:
    """Remove a tag; a tag the customer does not have is ``NotFound``."""
    text = normalize_tag(tag)
    row = session.scalar(select(Tag).where(Tag.customer_id == customer_id, Tag.tag == text))
    if row is None:
        raise NotFound(f"customer {customer_id} has no tag {text!r}", field="tag")
    session.delete(row)
    session.flush()
    _rescore(session, customer_id)


def set_consent(
    session: Session,
    customer_id: int,
    channel: str,
    opted_in: bool,
    *,
    source: str,
    at: datetime,
    reason: str | None = None,
    user_id: int | None = None,
) -> ChannelConsent:
    """Record a consent decision: the current state per channel, plus one line in the consent log."""
    if channel not in values(Channel):
        raise DomainError(
            f"channel {channel!r} is unknown; use one of: {', '.join(values(Channel))}", field="channel"
        )
    if not isinstance(opted_in, bool):
        raise DomainError("opted_in must be true or false", field="opted_in")
    if not (source or "").strip():
        raise DomainError("source is required (who or what changed the consent)", field="source")
    if at.tzinfo is None:
        raise DomainError("at must carry a time zone", field="at")
    get_customer(session, customer_id)
    _check_user(session, user_id)
    consent = session.get(ChannelConsent, (customer_id, channel))
    if consent is None:
        consent = ChannelConsent(customer_id=customer_id, channel=channel, opted_in=opted_in, updated_at=at)
        session.add(consent)
    else:
        consent.opted_in, consent.updated_at = opted_in, at
    session.add(
        ConsentEvent(
            customer_id=customer_id,
            channel=channel,
            opted_in=opted_in,
            source=source.strip()[:60],
            reason=reason,
            user_id=user_id,
            occurred_at=at,
        )
    )
    session.flush()
    return consent


def set_quiet_hours(
    session: Session, customer_id: int, start: time | str | None, end: time | str | None
) -> Customer:
    """Set (or with both None, clear) the hours not to contact a customer; may wrap midnight (21:00-09:00)."""
    start_t, end_t = parse_time(start, "start"), parse_time(end, "end")
    if (start_t is None) != (end_t is None):
        raise DomainError(
            "give both start and end of the quiet hours, or neither to clear them", field="start"
        )
    if start_t is not None and start_t == end_t:
        raise DomainError("quiet hours start and end are the same time; give a real window", field="end")
    customer = get_customer(session, customer_id)
    customer.quiet_hours_start, customer.quiet_hours_end = start_t, end_t
    session.flush()
    return customer
