"""Upcoming birthdays and anniversaries of customers and their family members.

The month/day match runs in SQL (one index-free scan per table, no per-customer loop): the
window's calendar days become "MM-DD" keys, the keys are merged into runs of consecutive days
and each table is filtered with ``month_day(column) BETWEEN first AND last`` per run. Year wrap
falls out of that (a window from 30 December to 2 January is the runs 01-01..01-02 and
12-30..12-31). Someone born on 29 February celebrates on 28 February in years without a
29 February (the usual legal and social convention), so in those years the key 02-29 is matched
on the 28th. When the window is longer than a year a date's next occurrence wins.

A spouse's anniversary that equals the customer's own anniversary is the same wedding and is
reported once (as the customer's).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, String, TypeDecorator, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from domain.errors import DomainError
from domain.models import Customer, FamilyMember

MAX_WINDOW_DAYS = 366


class MonthDayKey(TypeDecorator):
    """The type of ``month_day``: compared with "MM-DD" strings, which it binds as the backend's
    key (the text itself on SQLite, month * 100 + day elsewhere)."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(String() if dialect.name == "sqlite" else Integer())

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name == "sqlite":
            return value
        return int(value[:2]) * 100 + int(value[3:5])


class month_day(FunctionElement):
    """The month and day of a DATE column, ordered like the calendar, on SQLite and PostgreSQL."""

    type = MonthDayKey()
    inherit_cache = True


@compiles(month_day)
def _month_day_default(element, compiler, **kw):
    # date_part (double precision) is about twice as fast as to_char or EXTRACT (numeric) on
    # PostgreSQL over 300,000 dates
    column = compiler.process(element.clauses, **kw)
    return f"(date_part('month', {column}) * 100 + date_part('day', {column}))"


@compiles(month_day, "sqlite")
def _month_day_sqlite(element, compiler, **kw):
    # SQLAlchemy stores a Date as 'YYYY-MM-DD' text on SQLite; substr is several times cheaper
    # than strftime (which extract() compiles to) over 100,000 rows
    return f"substr({compiler.process(element.clauses, **kw)}, 6, 5)"


# every "MM-DD" of the calendar, 02-29 included, in calendar order
CALENDAR_KEYS = [(date(2000, 1, 1) + timedelta(days=n)).strftime("%m-%d") for n in range(366)]


@dataclass(frozen=True)
class UpcomingEvent:
    """One birthday or anniversary falling inside the window."""

    customer_id: int
    customer_name: str
    kind: str  # birthday | anniversary
    whose: str  # "self" or "spouse Sarah Uddin"
    person_name: str
    relationship: str  # "self", or the family member's relationship
    family_member_id: int | None
    gender: str | None
    original_date: date
    event_date: date  # this year's (or next year's) celebration
    days_until: int
    years: int | None  # age turned, or years married; None when the stored year is implausible

    @property
    def is_self(self) -> bool:
        return self.family_member_id is None

    def relative(self) -> str:
        """The family member in everyday words: "wife Sarah" (their relation and first name)."""
        first = self.person_name.split()[0] if self.person_name.strip() else self.person_name
        return f"{relation_word(self.relationship, self.gender)} {first}"

    def phrase(self) -> str:
        """Words for a call list: "wife Sarah's birthday tomorrow (turns 36)"."""
        when = relative_day(self.days_until)
        if self.is_self:
            what = "birthday" if self.kind == "birthday" else "wedding anniversary"
        else:
            what = f"{self.relative()}'s {self.kind}"
        extra = ""
        if self.years:
            extra = (
                f" (turns {self.years})" if self.kind == "birthday" else f" ({self.years} years)"
            )
        return f"{what} {when}{extra}"


def relative_day(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


_RELATION_WORDS = {
    "spouse": ("wife", "husband", "spouse"),
    "child": ("daughter", "son", "child"),
    "parent": ("mother", "father", "parent"),
    "sibling": ("sister", "brother", "sibling"),
    "grandparent": ("grandmother", "grandfather", "grandparent"),
}


def relation_word(relationship: str, gender: str | None) -> str:
    """ "wife", "son", "parent"...: the relationship in everyday words when the gender is known."""
    words = _RELATION_WORDS.get(relationship)
    if words is None:
        return "family member"
    g = (gender or "").strip().lower()
    if g in ("female", "f", "woman"):
        return words[0]
    if g in ("male", "m", "man"):
        return words[1]
    return words[2]


def window_keys(today: date, days: int) -> dict[str, date]:
    """Map each "MM-DD" celebrated in [today, today + days] to its date (first occurrence wins)."""
    keys: dict[str, date] = {}
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        keys.setdefault(day.strftime("%m-%d"), day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            keys.setdefault("02-29", day)
    return keys


def key_runs(keys: Iterable[str]) -> list[tuple[str, str]]:
    """``keys`` ("MM-DD") as runs of consecutive calendar days, (first, last) each, in calendar
    order: a week is one run, a week over the new year two."""
    wanted, runs = set(keys), []
    for previous, key in zip([None, *CALENDAR_KEYS], CALENDAR_KEYS):
        if key not in wanted:
            continue
        if runs and previous == runs[-1][1]:
            runs[-1] = (runs[-1][0], key)
        else:
            runs.append((key, key))
    return runs


def _in_window(column, runs: list[tuple[str, str]]):
    return or_(*(month_day(column).between(first, last) for first, last in runs))


def celebration_date(original: date, year: int) -> date:
    """The day ``original`` is celebrated in ``year`` (29 Feb -> 28 Feb in common years)."""
    if original.month == 2 and original.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return original.replace(year=year)


def next_occurrence(original: date, today: date) -> date:
    """The next day (``today`` included) on which a date stored as ``original`` is celebrated."""
    day = celebration_date(original, today.year)
    return day if day >= today else celebration_date(original, today.year + 1)


def _years(original: date, on: date) -> int | None:
    years = on.year - original.year
    return years if 0 < years < 130 else None


def upcoming_events(
    session: Session,
    today: date,
    days: int = 7,
    customer_ids: Iterable[int] | None = None,
) -> list[UpcomingEvent]:
    """Birthdays and anniversaries of customers and family members, ``today`` to ``today + days``.

    Erased customers are left out. Sorted by date, then customer id, then self before family.
    """
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_WINDOW_DAYS:
        raise DomainError(
            f"days must be a whole number from 0 to {MAX_WINDOW_DAYS}, got {days!r}", field="days"
        )
    runs = key_runs(window_keys(today, days))
    ids = None if customer_ids is None else sorted({int(i) for i in customer_ids})
    if ids is not None and not ids:
        return []
    alive = and_(Customer.status != "erased", Customer.erased_at.is_(None))

    own = select(
        Customer.id,
        Customer.name,
        Customer.gender,
        Customer.date_of_birth,
        Customer.anniversary_date,
    ).where(
        alive,
        or_(_in_window(Customer.date_of_birth, runs), _in_window(Customer.anniversary_date, runs)),
    )
    family = (
        select(
            FamilyMember.id,
            FamilyMember.customer_id,
            Customer.name,
            FamilyMember.name,
            FamilyMember.relationship,
            FamilyMember.gender,
            FamilyMember.date_of_birth,
            FamilyMember.anniversary_date,
            Customer.anniversary_date,
        )
        .join(Customer, Customer.id == FamilyMember.customer_id)
        .where(
            alive,
            or_(
                _in_window(FamilyMember.date_of_birth, runs),
                _in_window(FamilyMember.anniversary_date, runs),
            ),
        )
    )
    if ids is not None:
        own = own.where(Customer.id.in_(ids))
        family = family.where(FamilyMember.customer_id.in_(ids))

    return events_in_window(today, days, session.execute(own).all(), session.execute(family).all())


def events_in_window(
    today: date, days: int, own_rows: Iterable, family_rows: Iterable
) -> list[UpcomingEvent]:
    """The events of already-loaded rows (no query): ``own_rows`` are (customer id, name, gender,
    date of birth, anniversary); ``family_rows`` are (member id, customer id, customer name,
    member name, relationship, gender, date of birth, anniversary, the customer's anniversary)."""
    # (month, day) -> date: cheaper to build per row than an "MM-DD" string
    keys = {(int(k[:2]), int(k[3:])): day for k, day in window_keys(today, days).items()}
    events: list[UpcomingEvent] = []

    def add(cid, cname, kind, whose, person, relationship, member_id, gender, original):
        if original is None:
            return
        day = keys.get((original.month, original.day))
        if day is None:
            return
        events.append(
            UpcomingEvent(
                customer_id=cid,
                customer_name=cname,
                kind=kind,
                whose=whose,
                person_name=person,
                relationship=relationship,
                family_member_id=member_id,
                gender=gender,
                original_date=original,
                event_date=day,
                days_until=(day - today).days,
                years=_years(original, day),
            )
        )

    for cid, cname, gender, dob, anniversary in own_rows:
        add(cid, cname, "birthday", "self", cname, "self", None, gender, dob)
        add(cid, cname, "anniversary", "self", cname, "self", None, gender, anniversary)
    for mid, cid, cname, mname, rel, gender, dob, anniversary, own_anniversary in family_rows:
        whose = f"{rel} {mname}"
        add(cid, cname, "birthday", whose, mname, rel, mid, gender, dob)
        # a spouse's anniversary equal to the customer's own is the same wedding: report it once
        if not (rel == "spouse" and anniversary is not None and anniversary == own_anniversary):
            add(cid, cname, "anniversary", whose, mname, rel, mid, gender, anniversary)

    events.sort(key=lambda e: (e.event_date, e.customer_id, e.family_member_id or 0, e.kind))
    return events
