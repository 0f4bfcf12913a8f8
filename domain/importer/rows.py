"""Reading the CSV and turning its rows into checked records, every problem a ``RowError``.

Checking reads the database (who the customers, users and products are, what was imported
before) but writes nothing. Lookups go by column and chunk, never row by row.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.customers import clean_customer_fields, normalize_tag, parse_time
from domain.enums import Direction, InteractionType, OrderStatus, Outcome, values
from domain.errors import DomainError
from domain.importer.columns import (
    COLUMNS,
    CUSTOMER_EXTRAS,
    Progress,
    RowError,
    parse_choice,
    parse_duration,
    parse_moment,
    parse_order_items,
    parse_yes_no,
    split_list,
)
from domain.importer.lookups import (
    match_customers,
    resolve_references,
    select_in,
    stored,
    user_ids,
)
from domain.models import Interaction, Order
from domain.orders import parse_amount, products_by_name


def read_rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a UTF-8 CSV (a BOM from spreadsheet programs is fine); cells trimmed."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [
            {(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in reader
        ]
        return [h.strip() for h in reader.fieldnames or []], rows


class RowChecker:
    """Checks the rows of one file: ``customers()``, ``orders()`` or ``interactions()`` return the
    records to write and leave every problem in ``errors`` (rows numbered as a spreadsheet shows
    them, the header being row 1)."""

    def __init__(
        self, session: Session, clock: Clock, region: str, rows: list[dict], report: Progress
    ):
        self.session, self.clock, self.region = session, clock, region
        self.rows, self.report = rows, report
        self.errors: list[RowError] = []

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def cell(self, row: int, column: str, parse: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """``parse(*args, **kw)``, or None with its complaint noted against the cell."""
        try:
            return parse(*args, **kw)
        except DomainError as exc:
            self.error(row, column, exc.message)
            return None

    def when(self, raw: dict, column: str, row: int, required: bool = True) -> Any:
        if not raw.get(column):
            if required:
                self.error(row, column, f"{column} is required")
            return None
        future_ok = column == "follow_up_at"
        return self.cell(
            row, column, parse_moment, raw[column], column, self.clock, future_ok=future_ok
        )

    def choice(
        self, raw: dict, column: str, row: int, allowed: list[str], default: str | None
    ) -> Any:
        return self.cell(row, column, parse_choice, raw.get(column, ""), column, allowed, default)

    # ---------------------------------------------------------------- customers
    def customers(self) -> list[dict]:
        today, users, out = self.clock.today(), user_ids(self.session), []
        seen: dict[tuple[str, str], int] = {}
        for number, raw in enumerate(self.rows, start=2):
            given = {k: v for k, v in raw.items() if v != "" and k in COLUMNS["customers"]}
            extras = {k: given.pop(k) for k in list(given) if k in CUSTOMER_EXTRAS}
            if not raw.get("name"):
                self.error(number, "name", "name is required")
            clean, problems = clean_customer_fields(given, today=today, region=self.region)
            for problem in problems:
                self.error(number, problem.field, problem.message)
            row = {"row": number, "fields": clean, "tags": [], "consent": {}}
            if "assigned_to" in extras:
                user = users.get(extras["assigned_to"].lower())
                if user is None:
                    self.error(number, "assigned_to", f"no user named {extras['assigned_to']!r}")
                clean["assigned_to_id"] = user
            tags = (
                self.cell(number, "tags", normalize_tag, t)
                for t in split_list(extras.get("tags", ""))
            )
            row["tags"] = [tag for tag in tags if tag is not None]
            for channel in ("whatsapp", "sms", "email"):
                column = f"consent_{channel}"
                value = self.cell(number, column, parse_yes_no, extras.get(column, ""), column)
                if value is not None:
                    row["consent"][channel] = value
            try:
                start = parse_time(extras.get("quiet_hours_start"), "quiet_hours_start")
                end = parse_time(extras.get("quiet_hours_end"), "quiet_hours_end")
                if (start is None) != (end is None):
                    self.error(
                        number, "quiet_hours_end", "give both quiet_hours_start and quiet_hours_end"
                    )
                elif start is not None:
                    clean["quiet_hours_start"], clean["quiet_hours_end"] = start, end
            except DomainError as exc:
                self.error(number, exc.field, exc.message)
            for key in ("external_key", "phone", "email"):
                if clean.get(key):
                    if (key, clean[key]) in seen:
                        self.error(
                            number,
                            key,
                            f"{key} {clean[key]} is also on row {seen[(key, clean[key])]}",
                        )
                    seen[(key, clean[key])] = number
            out.append(row)
            self.report("check", 1, len(self.rows))
        self.errors.extend(match_customers(self.session, out))
        return out

    def resolve_customers(self) -> list[int | None]:
        """The customer of each row from its customer_* columns."""
        found, errors = resolve_references(self.session, self.rows, self.region)
        self.errors.extend(errors)
        return found

    # ---------------------------------------------------------------- orders
    def orders(self) -> list[dict]:
        owners, out, seen = self.resolve_customers(), [], {}
        for number, (raw, cid) in enumerate(zip(self.rows, owners), start=2):
            row = {
                "row": number,
                "customer_id": cid,
                "external_id": raw.get("external_id") or None,
                "ordered_at": self.when(raw, "ordered_at", number),
                "channel": raw.get("channel") or None,
                "status": self.choice(raw, "status", number, values(OrderStatus), "completed"),
                "amount": None,
                "lines": [],
            }
            if raw.get("amount"):
                row["amount"] = self.cell(number, "amount", parse_amount, raw["amount"])
            else:
                self.error(number, "amount", "amount is required")
            row["lines"] = self.cell(number, "items", parse_order_items, raw.get("items", "")) or []
            if row["external_id"] in seen:
                self.error(
                    number,
                    "external_id",
                    f"order {row['external_id']} is also on row {seen[row['external_id']]}",
                )
            if row["external_id"]:
                seen[row["external_id"]] = number
            out.append(row)
            self.report("check", 1, len(self.rows))
        if self.errors:
            return out
        known = stored(self.session, Order.external_id, seen)
        # without an external_id an order is known by customer, time and amount
        natural = set(
            select_in(
                self.session,
                select(Order.customer_id, Order.ordered_at, Order.total_amount),
                Order.customer_id,
                {r["customer_id"] for r in out if not r["external_id"]},
            )
        )
        for row in out:
            key = (row["customer_id"], row["ordered_at"], row["amount"])
            row["skip"] = row["external_id"] in known if row["external_id"] else key in natural
            natural.add(key)  # the same order twice in one file is one order
        return out

    # ---------------------------------------------------------------- interactions
    def interactions(self) -> list[dict]:
        owners, out, users, seen = self.resolve_customers(), [], user_ids(self.session), {}
        products = products_by_name(
            self.session, {n for raw in self.rows for n in split_list(raw.get("products", ""))}
        )
        for number, (raw, cid) in enumerate(zip(self.rows, owners), start=2):
            row = {
                "row": number,
                "customer_id": cid,
                "occurred_at": self.when(raw, "occurred_at", number),
                "type": self.choice(raw, "type", number, values(InteractionType), None),
                "direction": self.choice(raw, "direction", number, values(Direction), "outbound"),
                "outcome": self.choice(raw, "outcome", number, values(Outcome), None),
                "subject": raw.get("subject") or None,
                "notes": raw.get("notes") or None,
                "follow_up_at": self.when(raw, "follow_up_at", number, required=False),
                "products": [],
            }
            if not raw.get("type"):
                self.error(number, "type", "type is required")
            duration = raw.get("duration_seconds", "")
            row["duration_seconds"] = self.cell(
                number, "duration_seconds", parse_duration, duration
            )
            if (
                row["follow_up_at"]
                and row["occurred_at"]
                and row["follow_up_at"] <= row["occurred_at"]
            ):
                self.error(number, "follow_up_at", "follow_up_at must be after occurred_at")
            for name in split_list(raw.get("products", "")):
                product = products.get(name.lower())
                if product is None:
                    self.error(number, "products", f"no product named {name!r} in the catalogue")
                elif product.id not in row["products"]:
                    row["products"].append(product.id)
            row["user_id"] = (
                users.get(raw.get("logged_by", "").lower()) if raw.get("logged_by") else None
            )
            if raw.get("logged_by") and row["user_id"] is None:
                self.error(number, "logged_by", f"no user named {raw['logged_by']!r}")
            external = raw.get("external_id")
            if external and external in seen:
                self.error(
                    number, "external_id", f"interaction {external} is also on row {seen[external]}"
                )
            seen.setdefault(external, number)
            row["key"] = f"import:{external}" if external else "import:" + _natural_key(cid, row)
            out.append(row)
            self.report("check", 1, len(self.rows))
        known = stored(self.session, Interaction.idempotency_key, {r["key"] for r in out})
        for row in out:
            row["skip"] = row["key"] in known
            known.add(row["key"])  # the same interaction twice in one file is one interaction
        return out


def _natural_key(customer_id: int | None, row: dict) -> str:
    """Who, when, what and the notes: the same interaction imported again gets the same key."""
    text = f"{customer_id}|{row['occurred_at']}|{row['type']}|{row['notes']}"
    return hashlib.sha1(text.encode()).hexdigest()[:32]
