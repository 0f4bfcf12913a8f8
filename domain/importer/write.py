"""Writing checked records: set-based inserts and updates in the caller's transaction.

Nothing here checks input: ``rows.py`` has already refused the file if any row was bad, and the
caller's transaction rolls every write back if anything fails, so an import is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from domain.importer.columns import COLUMNS, ImportResult, Progress
from domain.importer.lookups import chunks, select_in
from domain.models import (
    ChannelConsent,
    ConsentEvent,
    Customer,
    Interaction,
    Order,
    OrderItem,
    Tag,
    interaction_products,
)
from domain.orders import price_lines, products_by_name

CUSTOMER_DEFAULTS = {
    "customer_type": "new",
    "account_kind": "retail",
    "status": "active",
    "lifecycle_stage": "lead",
}
INTERACTION_FIELDS = (
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


def insert_ids(session: Session, table: Table, params: list[dict]) -> list[int]:
    """Insert ``params`` and return the new ids in the same order."""
    query = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return session.execute(query, params).scalars().all()


def write_customers(
    session: Session, rows: list[dict], now: datetime, report: Progress
) -> ImportResult:
    """Insert the rows no stored customer matched, update the others, then their tags and consent."""
    table = Customer.__table__
    new = [r for r in rows if r["id"] is None]
    existing = [r for r in rows if r["id"] is not None]
    columns = sorted(
        {
            "name",
            *CUSTOMER_DEFAULTS,
            "quiet_hours_start",
            "quiet_hours_end",
            "assigned_to_id",
            *COLUMNS["customers"],
        }
        & set(table.c.keys())
    )
    for part in chunks(new):
        params = [
            {c: r["fields"].get(c, CUSTOMER_DEFAULTS.get(c)) for c in columns}
            | {"created_at": now, "updated_at": now}
            for r in part
        ]
        for r, cid in zip(part, insert_ids(session, table, params)):
            r["id"] = cid
        report("write", len(part), len(rows))
    # one executemany per set of given columns: an empty cell leaves the stored value alone
    groups: dict[tuple[str, ...], list[dict]] = {}
    for r in existing:
        if r["fields"]:
            groups.setdefault(tuple(sorted(r["fields"])), []).append(r)
    for keys, group in groups.items():
        session.execute(
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in keys} | {"updated_at": now}),
            [{"_id": r["id"], **r["fields"]} for r in group],
        )
        report("write", len(group), len(rows))
    _write_tags_and_consent(session, rows, now)
    return ImportResult(
        "customers",
        len(rows),
        created=len(new),
        updated=len(existing),
        customer_ids={r["id"] for r in rows},
    )


def _write_tags_and_consent(session: Session, rows: list[dict], now: datetime) -> None:
    ids = [r["id"] for r in rows]
    tags = set(select_in(session, select(Tag.customer_id, Tag.tag), Tag.customer_id, ids))
    consent = {
        (c, ch): v
        for c, ch, v in select_in(
            session,
            select(ChannelConsent.customer_id, ChannelConsent.channel, ChannelConsent.opted_in),
            ChannelConsent.customer_id,
            ids,
        )
    }
    new_tags = {(r["id"], t) for r in rows for t in r["tags"]} - tags
    if new_tags:
        session.execute(insert(Tag), [{"customer_id": c, "tag": t} for c, t in sorted(new_tags)])
    changes = [
        (r["id"], ch, v)
        for r in rows
        for ch, v in r["consent"].items()
        if consent.get((r["id"], ch)) != v
    ]
    if not changes:
        return
    table = ChannelConsent.__table__
    fresh = [c for c in changes if (c[0], c[1]) not in consent]
    if fresh:
        session.execute(
            insert(table),
            [
                {"customer_id": c, "channel": ch, "opted_in": v, "updated_at": now}
                for c, ch, v in fresh
            ],
        )
    old = [c for c in changes if (c[0], c[1]) in consent]
    if old:
        session.execute(
            update(table)
            .where(table.c.customer_id == bindparam("cid"), table.c.channel == bindparam("ch"))
            .values(opted_in=bindparam("v"), updated_at=now),
            [{"cid": c, "ch": ch, "v": v} for c, ch, v in old],
        )
    # every change of consent is recorded, whatever set it
    session.execute(
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


def _write_new(
    session: Session,
    kind: str,
    rows: list[dict],
    report: Progress,
    table: Table,
    values: Callable[[dict], dict],
    child_table: Any,
    children: Callable[[dict, int], Iterable[dict]],
) -> ImportResult:
    """Insert the rows not imported before (``values`` of each) and their ``children`` rows."""
    todo = [r for r in rows if not r["skip"]]
    for part in chunks(todo):
        ids = insert_ids(session, table, [values(r) for r in part])
        linked = [child for r, new_id in zip(part, ids) for child in children(r, new_id)]
        if linked:
            session.execute(insert(child_table), linked)
        report("write", len(part), len(todo))
    return ImportResult(
        kind,
        len(rows),
        created=len(todo),
        skipped=len(rows) - len(todo),
        customer_ids={r["customer_id"] for r in todo},
    )


def write_orders(
    session: Session, rows: list[dict], now: datetime, report: Progress
) -> ImportResult:
    """Insert the orders not imported before, with their priced items."""
    products = products_by_name(
        session, [line.name for r in rows if not r["skip"] for line in r["lines"]]
    )
    return _write_new(
        session,
        "orders",
        rows,
        report,
        Order.__table__,
        lambda r: {
            "customer_id": r["customer_id"],
            "external_id": r["external_id"],
            "ordered_at": r["ordered_at"],
            "status": r["status"],
            "total_amount": r["amount"],
            "channel": r["channel"],
            "created_at": now,
        },
        OrderItem,
        lambda r, order_id: [
            {"order_id": order_id, **line}
            for line in price_lines(r["lines"], products, r["amount"])
        ],
    )


def write_interactions(
    session: Session, rows: list[dict], now: datetime, report: Progress
) -> ImportResult:
    """Insert the interactions not imported before, with their product links."""
    return _write_new(
        session,
        "interactions",
        rows,
        report,
        Interaction.__table__,
        lambda r: {
            **{f: r[f] for f in INTERACTION_FIELDS},
            "follow_up_required": r["follow_up_at"] is not None,
            "idempotency_key": r["key"],
            "created_at": now,
        },
        interaction_products,
        lambda r, interaction_id: [
            {"interaction_id": interaction_id, "product_id": p} for p in r["products"]
        ],
    )


WRITERS = {"customers": write_customers, "orders": write_orders, "interactions": write_interactions}
