"""CSV import of customers, orders and interactions: check every row first, then write all or nothing.

Rows are numbered as a spreadsheet shows them (the header is row 1). Empty cells mean "not given".
Re-importing a file changes nothing: customers are matched by external_key, then phone, then email;
orders by external_id (else customer + time + amount); interactions by external_id (else a key
derived from customer, time, type and notes). The column formats are in ``COLUMNS`` and docs/import.md.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from domain import stats
from domain.clock import Clock
from domain.customers import clean_customer_fields, normalize_tag, parse_time
from domain.enums import Direction, InteractionType, OrderStatus, Outcome, values
from domain.errors import DomainError
from domain.models import (
    ChannelConsent,
    ConsentEvent,
    Customer,
    Interaction,
    Order,
    OrderItem,
    Tag,
    User,
    interaction_products,
)
from domain.orders import parse_amount, parse_items, price_lines, products_by_name
from domain.phone import try_normalize_phone

REFERENCE = {
    "customer_id": "the customer's c360 id",
    "customer_key": "the customer's external_key",
    "customer_phone": "the customer's phone, any common form",
    "customer_email": "the customer's email",
}
COLUMNS: dict[str, dict[str, str]] = {
    "customers": {
        "name": "required",
        "external_key": "your system's id; makes re-imports update instead of duplicate",
        "phone": "e.g. 01712-345678 (stored +8801712345678)",
        "email": "",
        "company": "",
        "city": "",
        "district": "",
        "address": "",
        "gender": "male, female, other",
        "date_of_birth": "YYYY-MM-DD",
        "marital_status": "single, married, divorced, widowed",
        "anniversary_date": "YYYY-MM-DD",
        "profession": "",
        "best_time_to_contact": "free text, e.g. 18:00-20:00",
        "customer_type": "new, repeat, vip, inactive",
        "account_kind": "retail, wholesale, distributor",
        "source": "",
        "language": "bn, en",
        "timezone": "IANA name, e.g. Asia/Dhaka",
        "preferred_channel": "whatsapp, sms, email, instagram, facebook",
        "assigned_to": "a user's name or email",
        "tags": "separated by ;",
        "consent_whatsapp": "yes/no",
        "consent_sms": "yes/no",
        "consent_email": "yes/no",
        "quiet_hours_start": "HH:MM",
        "quiet_hours_end": "HH:MM",
    },
    "orders": {
        "external_id": "your order number; makes re-imports skip it",
        **REFERENCE,
        "ordered_at": "required; YYYY-MM-DD or YYYY-MM-DDTHH:MM[+06:00], local time without an offset",
        "amount": "required; total in the business currency, 0 or more",
        "status": "completed (default), pending, cancelled, refunded",
        "items": "product names separated by ;, optional ' x2' quantity, e.g. Blue Kettle; Tea Premium 500g x2",
        "channel": "web, shop, phone, facebook ...",
    },
    "interactions": {
        "external_id": "your id; makes re-imports skip it",
        **REFERENCE,
        "occurred_at": "required; YYYY-MM-DD or YYYY-MM-DDTHH:MM[+06:00]",
        "type": "required; " + ", ".join(values(InteractionType)),
        "direction": "inbound, outbound (default)",
        "outcome": ", ".join(values(Outcome)),
        "subject": "",
        "notes": "",
        "duration_seconds": "0-43200",
        "follow_up_at": "YYYY-MM-DD or date-time, after occurred_at",
        "products": "catalogue product names separated by ;",
        "logged_by": "a user's name or email",
    },
}
REQUIRED = {
    "customers": ("name",),
    "orders": ("ordered_at", "amount"),
    "interactions": ("occurred_at", "type"),
}
YES, NO = {"yes", "y", "true", "1", "opted_in"}, {"no", "n", "false", "0", "opted_out"}
QUANTITY = re.compile(r"^(?P<name>.+?)\s*[x×]\s*(?P<qty>\d+)$")
CHUNK = 2000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"row {self.row}" + (f", column {self.column}" if self.column else "") + f": {self.message}"


class ImportFailed(DomainError):
    """The file had bad rows; nothing was imported. ``errors`` lists up to the limit, ``total`` all."""

    def __init__(self, errors: list[RowError], total: int):
        super().__init__(f"{total} problem(s) in the file; nothing was imported")
        self.errors, self.total = errors, total


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    skipped: int = 0  # already imported
    customer_ids: set[int] = field(default_factory=set)


Progress = Callable[[str, int, int], None]


def read_rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a UTF-8 CSV (a BOM from spreadsheet programs is fine); cells trimmed."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
        return [h.strip() for h in reader.fieldnames or []], rows


def import_csv(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    clock: Clock,
    region: str = "BD",
    max_errors: int = 50,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Validate every row of the file, then write them in the caller's transaction (or raise ImportFailed)."""
    if kind not in COLUMNS:
        raise DomainError(f"unknown import kind {kind!r}; use one of: {', '.join(COLUMNS)}", field="kind")
    header, rows = read_rows(path)
    problems = _check_header(kind, header)
    if problems:
        raise ImportFailed(problems, len(problems))
    report = on_progress or (lambda step, done, total: None)
    job = _Job(session, clock, region, rows, report)
    cleaned = getattr(job, f"check_{kind}")()
    if job.errors:
        raise ImportFailed(job.errors[:max_errors], len(job.errors))
    result = getattr(job, f"write_{kind}")(cleaned)
    if result.customer_ids and kind != "customers":
        stats.refresh_stats(session, result.customer_ids, now=clock.now())
        stats.refresh_derived(session, clock.today(), result.customer_ids, tz=clock.tz)
    session.flush()
    return result


def _check_header(kind: str, header: list[str]) -> list[RowError]:
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
        problems.append(RowError(1, None, "no customer column: give one of " + ", ".join(REFERENCE)))
    return problems


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class _Job:
    """One import: the rows, what was looked up for them, and the errors found."""

    def __init__(self, session: Session, clock: Clock, region: str, rows: list[dict], report: Progress):
        self.session, self.clock, self.region, self.rows, self.report = session, clock, region, rows, report
        self.errors: list[RowError] = []

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def users(self) -> dict[str, int]:
        found = self.session.execute(select(User.id, User.name, User.email)).all()
        return {**{u.name.lower(): u.id for u in found}, **{u.email.lower(): u.id for u in found if u.email}}

    def moment(self, text: str, column: str, row: int) -> datetime | None:
        """A date (noon, local) or ISO date-time (local when no offset) not later than now."""
        try:
            value = (
                datetime.fromisoformat(text)
                if ("T" in text or " " in text)
                else datetime.combine(date.fromisoformat(text), time(12, 0))
            )
        except ValueError:
            self.error(row, column, f"{text!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            return None
        return self.clock.localize(value)

    # ---------------------------------------------------------------- customers
    def check_customers(self) -> list[dict]:
        today, users, out = self.clock.today(), self.users(), []
        seen: dict[tuple[str, str], int] = {}
        for number, raw in enumerate(self.rows, start=2):
            given = {k: v for k, v in raw.items() if v != "" and k in COLUMNS["customers"]}
            extras = {
                k: given.pop(k)
                for k in list(given)
                if k
                in (
                    "assigned_to",
                    "tags",
                    "consent_whatsapp",
                    "consent_sms",
                    "consent_email",
                    "quiet_hours_start",
                    "quiet_hours_end",
                )
            }
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
            for tag in filter(None, (t.strip() for t in extras.get("tags", "").split(";"))):
                try:
                    row["tags"].append(normalize_tag(tag))
                except DomainError as exc:
                    self.error(number, "tags", exc.message)
            for channel in ("whatsapp", "sms", "email"):
                value = extras.get(f"consent_{channel}", "").lower()
                if value and value not in YES | NO:
                    self.error(number, f"consent_{channel}", f"{value!r} is not yes or no")
                elif value:
                    row["consent"][channel] = value in YES
            try:
                start = parse_time(extras.get("quiet_hours_start"), "quiet_hours_start")
                end = parse_time(extras.get("quiet_hours_end"), "quiet_hours_end")
                if (start is None) != (end is None):
                    self.error(number, "quiet_hours_end", "give both quiet_hours_start and quiet_hours_end")
                elif start is not None:
                    clean["quiet_hours_start"], clean["quiet_hours_end"] = start, end
            except DomainError as exc:
                self.error(number, exc.field, exc.message)
            for key in ("external_key", "phone", "email"):
                if clean.get(key):
                    if (key, clean[key]) in seen:
                        self.error(
                            number, key, f"{key} {clean[key]} is also on row {seen[(key, clean[key])]}"
                        )
                    seen[(key, clean[key])] = number
            out.append(row)
            self.report("check", 1, len(self.rows))
        self._match_customers(out)
        return out

    def _match_customers(self, rows: list[dict]) -> None:
        """Find the stored customer of each row: external_key, then phone, then email."""
        wanted = {
            k: [r["fields"][k] for r in rows if r["fields"].get(k)]
            for k in ("external_key", "phone", "email")
        }
        known: dict[tuple[str, str], int] = {}
        for key, keys in wanted.items():
            column = getattr(Customer, key)
            for part in _chunks(keys):
                for cid, value in self.session.execute(
                    select(Customer.id, column).where(column.in_(part), Customer.status != "erased")
                ):
                    known[(key, value)] = cid
        for row in rows:
            matches = {k: known.get((k, row["fields"].get(k))) for k in ("external_key", "phone", "email")}
            target = next((m for m in matches.values() if m), None)
            row["id"] = target
            for key, cid in matches.items():
                if cid and cid != target:
                    self.error(
                        row["row"],
                        key,
                        f"{key} {row['fields'][key]} already belongs to customer {cid}, "
                        f"but the row matches customer {target}",
                    )

    def write_customers(self, rows: list[dict]) -> ImportResult:
        now, result = self.clock.now(), ImportResult("customers", len(rows))
        table = Customer.__table__
        new = [r for r in rows if r["id"] is None]
        for r in rows:
            r["is_new"] = r["id"] is None
        defaults = {
            "customer_type": "new",
            "account_kind": "retail",
            "status": "active",
            "lifecycle_stage": "lead",
        }
        columns = sorted(
            {
                "name",
                *defaults,
                "quiet_hours_start",
                "quiet_hours_end",
                "assigned_to_id",
                *COLUMNS["customers"],
            }
            & set(table.c.keys())
        )
        for part in _chunks(new):
            params = [
                {c: r["fields"].get(c, defaults.get(c)) for c in columns}
                | {"created_at": now, "updated_at": now}
                for r in part
            ]
            ids = self.session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), params
            )
            for r, cid in zip(part, ids.scalars()):
                r["id"] = cid
            self.report("write", len(part), len(rows))
        groups: dict[tuple[str, ...], list[dict]] = {}
        for r in rows:
            if not r["is_new"] and r["fields"]:
                groups.setdefault(tuple(sorted(r["fields"])), []).append(r)
        for keys, group in groups.items():
            self.session.execute(
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({k: bindparam(k) for k in keys} | {"updated_at": now}),
                [{"_id": r["id"], **r["fields"]} for r in group],
            )
            self.report("write", len(group), len(rows))
        self._write_tags_and_consent(rows, now)
        result.created, result.updated = len(new), len(rows) - len(new)
        result.customer_ids = {r["id"] for r in rows}
        return result

    def _write_tags_and_consent(self, rows: list[dict], now: datetime) -> None:
        ids = [r["id"] for r in rows]
        tags, consent = set(), {}
        for part in _chunks(ids):
            tags |= set(
                self.session.execute(select(Tag.customer_id, Tag.tag).where(Tag.customer_id.in_(part))).all()
            )
            consent |= {
                (c, ch): v
                for c, ch, v in self.session.execute(
                    select(ChannelConsent.customer_id, ChannelConsent.channel, ChannelConsent.opted_in).where(
                        ChannelConsent.customer_id.in_(part)
                    )
                )
            }
        new_tags = {(r["id"], t) for r in rows for t in r["tags"]} - tags
        if new_tags:
            self.session.execute(insert(Tag), [{"customer_id": c, "tag": t} for c, t in sorted(new_tags)])
        changes = [
            (r["id"], ch, v)
            for r in rows
            for ch, v in r["consent"].items()
            if consent.get((r["id"], ch)) != v
        ]
        if changes:
            table = ChannelConsent.__table__
            fresh = [c for c in changes if (c[0], c[1]) not in consent]
            if fresh:
                self.session.execute(
                    insert(table),
                    [
                        {"customer_id": c, "channel": ch, "opted_in": v, "updated_at": now}
                        for c, ch, v in fresh
                    ],
                )
            old = [c for c in changes if (c[0], c[1]) in consent]
            if old:
                self.session.execute(
                    update(table)
                    .where(
                        table.c.customer_id == bindparam("cid"),
                        table.c.channel == bindparam("ch"),
                    )
                    .values(opted_in=bindparam("v"), updated_at=now),
                    [{"cid": c, "ch": ch, "v": v} for c, ch, v in old],
                )
            self.session.execute(
                insert(ConsentEvent),
                [
                    {
                        "customer_id": c,
                        "channel": ch,
                        "opted_in": v,
                        "source": "import",
                        "occurred_at": now,
                        "reason": "set by CSV import",
                    }
                    for c, ch, v in changes
                ],
            )

    # ---------------------------------------------------------------- references
    def resolve_customers(self) -> list[int | None]:
        """The customer of each row from its customer_* columns (one query per column and chunk)."""
        lookups: dict[str, dict[str, int]] = {k: {} for k in REFERENCE}
        wanted: dict[str, set] = {k: set() for k in REFERENCE}
        for raw in self.rows:
            if raw.get("customer_id", "").isdigit():
                wanted["customer_id"].add(int(raw["customer_id"]))
            if raw.get("customer_key"):
                wanted["customer_key"].add(raw["customer_key"])
            phone = try_normalize_phone(raw.get("customer_phone", ""), self.region)
            if phone:
                wanted["customer_phone"].add(phone)
            if raw.get("customer_email"):
                wanted["customer_email"].add(raw["customer_email"].lower())
        columns = {
            "customer_id": Customer.id,
            "customer_key": Customer.external_key,
            "customer_phone": Customer.phone,
            "customer_email": Customer.email,
        }
        for key, column in columns.items():
            for part in _chunks(sorted(wanted[key])):
                for cid, value in self.session.execute(
                    select(Customer.id, column).where(column.in_(part), Customer.status != "erased")
                ):
                    lookups[key][str(value).lower()] = cid
        found = []
        for number, raw in enumerate(self.rows, start=2):
            cid, given = None, False
            for key in REFERENCE:
                text = raw.get(key, "")
                if not text:
                    continue
                given = True
                value = try_normalize_phone(text, self.region) if key == "customer_phone" else text.lower()
                if key == "customer_phone" and value is None:
                    self.error(number, key, f"{text!r} is not a valid phone number")
                    continue
                match = lookups[key].get(str(value).lower())
                if match is None:
                    self.error(number, key, f"no customer with {key.removeprefix('customer_')} {text!r}")
                elif cid is not None and match != cid:
                    self.error(number, key, f"{key} {text!r} is customer {match}, another column says {cid}")
                cid = cid or match
            if not given:
                self.error(number, None, "no customer given: fill one of " + ", ".join(REFERENCE))
            found.append(cid)
        return found

    def _when(self, raw: dict, column: str, number: int, required: bool = True) -> datetime | None:
        if not raw.get(column):
            if required:
                self.error(number, column, f"{column} is required")
            return None
        moment = self.moment(raw[column], column, number)
        if moment is not None and column != "follow_up_at" and moment > self.clock.now():
            self.error(number, column, f"{raw[column]} is in the future")
            return None
        return moment

    def _enum(
        self, raw: dict, column: str, number: int, allowed: list[str], default: str | None
    ) -> str | None:
        value = raw.get(column, "").lower() or default
        if value is not None and value not in allowed:
            self.error(number, column, f"{raw[column]!r} is not allowed; use one of: {', '.join(allowed)}")
        return value

    # ---------------------------------------------------------------- orders
    def check_orders(self) -> list[dict]:
        owners, out, seen = self.resolve_customers(), [], {}
        for number, (raw, cid) in enumerate(zip(self.rows, owners), start=2):
            row = {
                "row": number,
                "customer_id": cid,
                "external_id": raw.get("external_id") or None,
                "ordered_at": self._when(raw, "ordered_at", number),
                "channel": raw.get("channel") or None,
                "status": self._enum(raw, "status", number, values(OrderStatus), "completed"),
                "lines": [],
            }
            try:
                row["amount"] = parse_amount(raw["amount"]) if raw.get("amount") else None
                if row["amount"] is None:
                    self.error(number, "amount", "amount is required")
            except DomainError as exc:
                self.error(number, "amount", exc.message)
            try:
                row["lines"] = parse_items(
                    [_item(text) for text in raw.get("items", "").split(";") if text.strip()]
                )
            except DomainError as exc:
                self.error(number, "items", exc.message)
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
        stored = set()
        for part in _chunks(sorted(seen)):
            stored |= set(self.session.scalars(select(Order.external_id).where(Order.external_id.in_(part))))
        natural = set()
        for part in _chunks(sorted({r["customer_id"] for r in out if not r["external_id"]})):
            natural |= {
                (c, t, a)
                for c, t, a in self.session.execute(
                    select(Order.customer_id, Order.ordered_at, Order.total_amount).where(
                        Order.customer_id.in_(part)
                    )
                )
            }
        for row in out:
            key = (row["customer_id"], row["ordered_at"], row["amount"])
            row["skip"] = row["external_id"] in stored if row["external_id"] else key in natural
            natural.add(key)  # the same order twice in one file is one order
        return out

    def write_orders(self, rows: list[dict]) -> ImportResult:
        result, now = ImportResult("orders", len(rows)), self.clock.now()
        todo = [r for r in rows if not r["skip"]]
        products = products_by_name(self.session, [line.name for r in todo for line in r["lines"]])
        table = Order.__table__
        for part in _chunks(todo):
            ids = (
                self.session.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "customer_id": r["customer_id"],
                            "external_id": r["external_id"],
                            "ordered_at": r["ordered_at"],
                            "status": r["status"],
                            "total_amount": r["amount"],
                            "channel": r["channel"],
                            "created_at": now,
                        }
                        for r in part
                    ],
                )
                .scalars()
                .all()
            )
            items = [
                {"order_id": oid, **line}
                for r, oid in zip(part, ids)
                for line in price_lines(r["lines"], products, r["amount"])
            ]
            if items:
                self.session.execute(insert(OrderItem), items)
            self.report("write", len(part), len(todo))
        result.created, result.skipped = len(todo), len(rows) - len(todo)
        result.customer_ids = {r["customer_id"] for r in todo}
        return result

    # ---------------------------------------------------------------- interactions
    def check_interactions(self) -> list[dict]:
        owners, out, users, seen = self.resolve_customers(), [], self.users(), {}
        wanted = {n.strip() for raw in self.rows for n in raw.get("products", "").split(";") if n.strip()}
        products = products_by_name(self.session, wanted)
        for number, (raw, cid) in enumerate(zip(self.rows, owners), start=2):
            row = {
                "row": number,
                "customer_id": cid,
                "occurred_at": self._when(raw, "occurred_at", number),
                "type": self._enum(raw, "type", number, values(InteractionType), None),
                "direction": self._enum(raw, "direction", number, values(Direction), "outbound"),
                "outcome": self._enum(raw, "outcome", number, values(Outcome), None),
                "subject": raw.get("subject") or None,
                "notes": raw.get("notes") or None,
                "follow_up_at": self._when(raw, "follow_up_at", number, required=False),
                "products": [],
            }
            if raw.get("type") is None or raw.get("type") == "":
                self.error(number, "type", "type is required")
            duration = raw.get("duration_seconds", "")
            row["duration_seconds"] = int(duration) if duration.isdigit() and int(duration) <= 43200 else None
            if duration and row["duration_seconds"] is None:
                self.error(
                    number, "duration_seconds", f"{duration!r} is not a whole number of seconds (0-43200)"
                )
            if row["follow_up_at"] and row["occurred_at"] and row["follow_up_at"] <= row["occurred_at"]:
                self.error(number, "follow_up_at", "follow_up_at must be after occurred_at")
            for name in filter(None, (n.strip() for n in raw.get("products", "").split(";"))):
                product = products.get(name.lower())
                if product is None:
                    self.error(number, "products", f"no product named {name!r} in the catalogue")
                elif product.id not in row["products"]:
                    row["products"].append(product.id)
            row["user_id"] = users.get(raw.get("logged_by", "").lower()) if raw.get("logged_by") else None
            if raw.get("logged_by") and row["user_id"] is None:
                self.error(number, "logged_by", f"no user named {raw['logged_by']!r}")
            external = raw.get("external_id")
            if external and external in seen:
                self.error(number, "external_id", f"interaction {external} is also on row {seen[external]}")
            seen.setdefault(external, number)
            row["key"] = (
                f"import:{external}"
                if external
                else "import:"
                + hashlib.sha1(
                    f"{cid}|{row['occurred_at']}|{row['type']}|{row['notes']}".encode()
                ).hexdigest()[:32]
            )
            out.append(row)
            self.report("check", 1, len(self.rows))
        stored = set()
        for part in _chunks(sorted({r["key"] for r in out})):
            stored |= set(
                self.session.scalars(
                    select(Interaction.idempotency_key).where(Interaction.idempotency_key.in_(part))
                )
            )
        for row in out:
            row["skip"] = row["key"] in stored
            stored.add(row["key"])
        return out

    def write_interactions(self, rows: list[dict]) -> ImportResult:
        result, now = ImportResult("interactions", len(rows)), self.clock.now()
        todo = [r for r in rows if not r["skip"]]
        table = Interaction.__table__
        fields = (
            "customer_id",
            "user_id",
            "type",
            "direction",
            "subject",
            "notes",
            "outcome",
            "duration_seconds",
            "occurred_at",
            "follow_up_at",
        )
        for part in _chunks(todo):
            ids = (
                self.session.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True),
                    [
                        {
                            **{f: r[f] for f in fields},
                            "follow_up_required": r["follow_up_at"] is not None,
                            "idempotency_key": r["key"],
                            "created_at": now,
                        }
                        for r in part
                    ],
                )
                .scalars()
                .all()
            )
            links = [
                {"interaction_id": iid, "product_id": pid}
                for r, iid in zip(part, ids)
                for pid in r["products"]
            ]
            if links:
                self.session.execute(insert(interaction_products), links)
            self.report("write", len(part), len(todo))
        result.created, result.skipped = len(todo), len(rows) - len(todo)
        result.customer_ids = {r["customer_id"] for r in todo}
        return result


def _item(text: str) -> dict[str, Any]:
    """``"Tea Premium 500g x2"`` -> name and quantity."""
    text = text.strip()
    match = QUANTITY.match(text)
    return {"name": match["name"], "quantity": int(match["qty"])} if match else {"name": text}
