"""Who the rows of a file are about: the stored customers and users they name.

Every lookup is one query per column and chunk of values, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from domain.importer.columns import REFERENCE, RowError
from domain.models import Customer, User
from domain.phone import try_normalize_phone

CHUNK = 2000
# how each customer_* column finds the customer
REFERENCE_COLUMNS = {
    "customer_id": Customer.id,
    "customer_key": Customer.external_key,
    "customer_phone": Customer.phone,
    "customer_email": Customer.email,
}
MATCH_KEYS = ("external_key", "phone", "email")


def chunks(items: list) -> Iterator[list]:
    """``items`` in slices of ``CHUNK``: bounded IN lists and executemany batches."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def select_in(session: Session, query: Select, column: Any, wanted: Iterable) -> Iterator[Any]:
    """The rows of ``query`` whose ``column`` is one of ``wanted``, one query per chunk."""
    for part in chunks(sorted(set(wanted))):
        yield from session.execute(query.where(column.in_(part)))


def stored(session: Session, column: Any, wanted: Iterable) -> set:
    """The values among ``wanted`` that ``column`` already holds (what was imported before)."""
    return {value for (value,) in select_in(session, select(column), column, wanted)}


def customers_by(session: Session, column: Any, wanted: Iterable) -> dict[Any, int]:
    """Stored (not erased) customers whose ``column`` is one of ``wanted``: value -> id."""
    query = select(column, Customer.id).where(Customer.status != "erased")
    return dict(select_in(session, query, column, wanted))


def user_ids(session: Session) -> dict[str, int]:
    """Users by lower-case name and by lower-case email."""
    found = session.execute(select(User.id, User.name, User.email)).all()
    return {
        **{u.name.lower(): u.id for u in found},
        **{u.email.lower(): u.id for u in found if u.email},
    }


def match_customers(session: Session, rows: list[dict]) -> list[RowError]:
    """Set ``row["id"]`` to the stored customer of each checked customer row (external_key, then
    phone, then email); a row whose keys point at different customers is an error."""
    known = {
        key: customers_by(
            session,
            getattr(Customer, key),
            [r["fields"][key] for r in rows if r["fields"].get(key)],
        )
        for key in MATCH_KEYS
    }
    errors = []
    for row in rows:
        matches = {k: known[k].get(row["fields"].get(k)) for k in MATCH_KEYS}
        target = next((m for m in matches.values() if m), None)
        row["id"] = target
        for key, cid in matches.items():
            if cid and cid != target:
                errors.append(
                    RowError(
                        row["row"],
                        key,
                        f"{key} {row['fields'][key]} already belongs to customer {cid}, "
                        f"but the row matches customer {target}",
                    )
                )
    return errors


def resolve_references(
    session: Session, rows: list[dict], region: str
) -> tuple[list[int | None], list[RowError]]:
    """The customer of each raw row from its customer_* columns, and the problems found."""
    wanted: dict[str, set] = {k: set() for k in REFERENCE}
    for raw in rows:
        if raw.get("customer_id", "").isdigit():
            wanted["customer_id"].add(int(raw["customer_id"]))
        if raw.get("customer_key"):
            wanted["customer_key"].add(raw["customer_key"])
        phone = try_normalize_phone(raw.get("customer_phone", ""), region)
        if phone:
            wanted["customer_phone"].add(phone)
        if raw.get("customer_email"):
            wanted["customer_email"].add(raw["customer_email"].lower())
    lookups = {
        key: {str(v).lower(): cid for v, cid in customers_by(session, column, wanted[key]).items()}
        for key, column in REFERENCE_COLUMNS.items()
    }
    found, errors = [], []
    for number, raw in enumerate(rows, start=2):
        cid, given = None, False
        for key in REFERENCE:
            text = raw.get(key, "")
            if not text:
                continue
            given = True
            value = try_normalize_phone(text, region) if key == "customer_phone" else text.lower()
            if key == "customer_phone" and value is None:
                errors.append(RowError(number, key, f"{text!r} is not a valid phone number"))
                continue
            match = lookups[key].get(str(value).lower())
            if match is None:
                message = f"no customer with {key.removeprefix('customer_')} {text!r}"
                errors.append(RowError(number, key, message))
            elif cid is not None and match != cid:
                message = f"{key} {text!r} is customer {match}, another column says {cid}"
                errors.append(RowError(number, key, message))
            cid = cid or match
        if not given:
            errors.append(
                RowError(number, None, "no customer given: fill one of " + ", ".join(REFERENCE))
            )
        found.append(cid)
    return found, errors
