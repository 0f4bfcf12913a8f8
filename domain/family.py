"""Adding a customer's family member, refusing duplicates and dates that cannot be true.

Refused, with a message naming the field:
* the same person twice: same name (case, spacing and dots ignored) and same relationship;
* a birth or anniversary date in the future, or before 1900;
* an anniversary before the member's own birth (or, for a spouse, before the customer's birth);
* generations out of order when the customer's date of birth is known: a child must be born at
  least MIN_GENERATION_YEARS after the customer, a parent at least that many years before, a
  grandparent at least twice that many years before.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.customers import EMAIL_RE, GENDERS, OLDEST_BIRTH_YEAR, parse_date
from domain.enums import Relationship, values
from domain.errors import Conflict, DomainError
from domain.interactions import lock_customer
from domain.models import FamilyMember
from domain.phone import normalize_phone

MIN_GENERATION_YEARS = 12  # the youngest a parent can plausibly be; refuses only the impossible
GENDER_ALIASES = {"m": "male", "man": "male", "f": "female", "woman": "female"}


def family_name_key(name: str) -> str:
    """How names compare for duplicates: ``" Sarah  Uddin."`` and ``"sarah uddin"`` are the same."""
    return " ".join(re.sub(r"[.,]", " ", name or "").casefold().split())


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _check_date(value: Any, name: str, today: date) -> date | None:
    day = parse_date(value, name)
    if day is None:
        return None
    if day > today:
        raise DomainError(
            f"{name} {day} is in the future (today is {today}); check the year", field=name
        )
    if day.year < OLDEST_BIRTH_YEAR:
        raise DomainError(f"{name} {day} is before {OLDEST_BIRTH_YEAR}; check the year", field=name)
    return day


def _check_generations(relationship: str, born: date | None, customer_born: date | None) -> None:
    if born is None or customer_born is None:
        return
    gap = MIN_GENERATION_YEARS
    if relationship == "child" and born < _years_after(customer_born, gap):
        older = "older than" if born <= customer_born else f"less than {gap} years younger than"
        raise DomainError(
            f"a child born {born} would be {older} the customer (born {customer_born}); "
            "check the date or the relationship",
            field="date_of_birth",
        )
    limits = {"parent": gap, "grandparent": 2 * gap}
    if relationship in limits and _years_after(born, limits[relationship]) > customer_born:
        raise DomainError(
            f"a {relationship} born {born} would be less than {limits[relationship]} years older "
            f"than the customer (born {customer_born}); check the date or the relationship",
            field="date_of_birth",
        )


def add_family_member(
    session: Session,
    customer_id: int,
    *,
    name: str,
    relationship: str,
    today: date,
    date_of_birth: date | str | None = None,
    anniversary_date: date | str | None = None,
    phone: str | None = None,
    email: str | None = None,
    gender: str | None = None,
    profession: str | None = None,
    region: str = "BD",
    now: datetime | None = None,
) -> FamilyMember:
    """Validate and add one family member to a customer; returns the flushed row (caller commits)."""
    clean_name = " ".join((name or "").split())
    if not clean_name or not re.search(r"[^\W\d_]", clean_name):
        raise DomainError("name is required: the family member's name", field="name")
    if len(clean_name) > 200:
        raise DomainError("name is longer than 200 characters", field="name")
    rel = (relationship or "").strip().lower()
    if rel not in values(Relationship):
        raise DomainError(
            f"relationship {relationship!r} is not allowed; use one of: "
            f"{', '.join(values(Relationship))}",
            field="relationship",
        )
    born = _check_date(date_of_birth, "date_of_birth", today)
    wedding = _check_date(anniversary_date, "anniversary_date", today)
    if born and wedding and wedding < born:
        raise DomainError(
            f"anniversary_date {wedding} is before date_of_birth {born}; check both dates",
            field="anniversary_date",
        )
    clean_phone = normalize_phone(phone, region) if phone and phone.strip() else None
    clean_email = None
    if email and email.strip():
        clean_email = email.strip().lower()
        if not EMAIL_RE.match(clean_email) or len(clean_email) > 255:
            raise DomainError(
                f"{email!r} is not a valid email address (like name@example.com)", field="email"
            )
    clean_gender = None
    if gender and gender.strip():
        clean_gender = GENDER_ALIASES.get(gender.strip().lower(), gender.strip().lower())
        if clean_gender not in GENDERS:
            raise DomainError(
                f"gender {gender!r} is not allowed; use one of: {', '.join(GENDERS)}",
                field="gender",
            )
    clean_profession = " ".join(profession.split()) if profession and profession.strip() else None
    if clean_profession and len(clean_profession) > 100:
        raise DomainError("profession is longer than 100 characters", field="profession")

    customer = lock_customer(session, customer_id)
    _check_generations(rel, born, customer.date_of_birth)
    if rel == "spouse" and wedding and customer.date_of_birth and wedding < customer.date_of_birth:
        raise DomainError(
            f"anniversary_date {wedding} is before the customer's birth ({customer.date_of_birth}); "
            "check the year",
            field="anniversary_date",
        )
    key = family_name_key(clean_name)
    existing = session.scalar(
        select(FamilyMember).where(
            FamilyMember.customer_id == customer.id,
            FamilyMember.name_key == key,
            FamilyMember.relationship == rel,
        )
    )
    if existing is not None:
        raise Conflict(
            f"{existing.name} is already recorded as {customer.name}'s {rel} (family member "
            f"#{existing.id}); nothing was added",
            field="name",
        )
    member = FamilyMember(
        customer_id=customer.id,
        name=clean_name,
        name_key=key,
        relationship=rel,
        date_of_birth=born,
        anniversary_date=wedding,
        phone=clean_phone,
        email=clean_email,
        gender=clean_gender,
        profession=clean_profession,
    )
    if now is not None:
        member.created_at = now
    session.add(member)
    session.flush()
    from domain.call_priority.stored import refresh_scores  # a family event moves the call list

    refresh_scores(session, [customer.id])
    return member
