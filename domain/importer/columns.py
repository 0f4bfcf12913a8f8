"""The import's column formats (``COLUMNS``, also in docs/import.md) and how each cell is read.

The ``parse_*`` functions read one cell and raise ``DomainError`` with a message meant for the
person who filled in the spreadsheet; ``rows.py`` turns that into a ``RowError`` on the row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from domain.clock import Clock
from domain.errors import DomainError
from domain.import_columns import COLUMNS, REFERENCE  # noqa: F401 (COLUMNS: part of this module's API)
from domain.orders import ItemLine, parse_items

REQUIRED = {
    "customers": ("name",),
    "orders": ("ordered_at", "amount"),
    "interactions": ("occurred_at", "type"),
}
# customer columns that are not fields of the customer row (clean_customer_fields never sees them)
CUSTOMER_EXTRAS = (
    "assigned_to",
    "tags",
    "consent_whatsapp",
    "consent_sms",
    "consent_email",
    "quiet_hours_start",
    "quiet_hours_end",
)
YES, NO = {"yes", "y", "true", "1", "opted_in"}, {"no", "n", "false", "0", "opted_out"}
QUANTITY = re.compile(r"^(?P<name>.+?)\s*[x×]\s*(?P<qty>\d+)$")
MAX_DURATION_SECONDS = 43200

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (1 is the header), the column when known, what to fix."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return (
            f"row {self.row}"
            + (f", column {self.column}" if self.column else "")
            + f": {self.message}"
        )


class ImportFailed(DomainError):
    """The file had bad rows; nothing was imported. ``errors`` lists up to the limit, ``total`` all."""

    def __init__(self, errors: list[RowError], total: int):
        super().__init__(f"{total} problem(s) in the file; nothing was imported")
        self.errors, self.total = errors, total


@dataclass
class ImportResult:
    """What an import did: rows read, created, updated, skipped, and the customers it touched."""

    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    skipped: int = 0  # already imported
    customer_ids: set[int] = field(default_factory=set)


def check_header(kind: str, header: list[str]) -> list[RowError]:
    """Problems with the header row: unknown columns, missing required ones, no customer column."""
    problems = []
    unknown = [h for h in header if h not in COLUMNS[kind]]
    if unknown:
        problems.append(
            RowError(
                1,
                unknown[0],
                f"unknown column(s) {', '.join(unknown)}; the {kind} columns are: "
                + ", ".join(COLUMNS[kind]),
            )
        )
    for column in REQUIRED[kind]:
        if column not in header:
            problems.append(RowError(1, column, f"required column {column} is missing"))
    if kind != "customers" and not set(REFERENCE) & set(header):
        problems.append(
            RowError(1, None, "no customer column: give one of " + ", ".join(REFERENCE))
        )
    return problems


def split_list(text: str) -> list[str]:
    """The non-empty, trimmed parts of a ``;``-separated cell."""
    return [part.strip() for part in text.split(";") if part.strip()]


EARLIEST_YEAR = 1970  # orders, interactions and follow-ups before this are data-entry mistakes


def parse_moment(text: str, column: str, clock: Clock, *, future_ok: bool = False) -> datetime:
    """A date (noon, local) or ISO date-time (local when no offset); not later than now unless
    ``future_ok``."""
    try:
        value = (
            datetime.fromisoformat(text)
            if ("T" in text or " " in text)
            else datetime.combine(date.fromisoformat(text), time(12, 0))
        )
    except ValueError:
        raise DomainError(
            f"{text!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM", field=column
        ) from None
    if value.year < EARLIEST_YEAR:  # year 1, Excel's 1900 "zero" date: a missing value, not history
        raise DomainError(f"{text} is before {EARLIEST_YEAR}: check the date (an empty cell in a spreadsheet "
                          "often exports as 1900-01-00 or 0001-01-01)", field=column)
    moment = clock.localize(value)
    if not future_ok and moment > clock.now():
        raise DomainError(f"{text} is in the future", field=column)
    return moment


def parse_choice(text: str, column: str, allowed: list[str], default: str | None) -> str | None:
    """One of ``allowed`` (any case); ``default`` when empty."""
    value = text.lower() or default
    if value is not None and value not in allowed:
        raise DomainError(
            f"{text!r} is not allowed; use one of: {', '.join(allowed)}", field=column
        )
    return value


def parse_yes_no(text: str, column: str) -> bool | None:
    """yes/no (and the usual spellings) as a bool; None when empty."""
    value = text.lower()
    if value and value not in YES | NO:
        raise DomainError(f"{value!r} is not yes or no", field=column)
    return value in YES if value else None


def parse_duration(text: str) -> int | None:
    """Whole seconds from 0 to 12 hours; None when empty."""
    if not text:
        return None
    # isdecimal, not isdigit: "²" is a digit that int() refuses
    if not text.isdecimal() or int(text) > MAX_DURATION_SECONDS:
        raise DomainError(
            f"{text!r} is not a whole number of seconds (0-{MAX_DURATION_SECONDS})",
            field="duration_seconds",
        )
    return int(text)


def parse_item(text: str) -> dict[str, Any]:
    """``"Tea Premium 500g x2"`` -> name and quantity."""
    text = text.strip()
    match = QUANTITY.match(text)
    return {"name": match["name"], "quantity": int(match["qty"])} if match else {"name": text}


def parse_order_items(text: str) -> list[ItemLine]:
    """The lines of an ``items`` cell: ``"Blue Kettle; Tea Premium 500g x2"``."""
    return parse_items([parse_item(part) for part in split_list(text)])
