"""Timeline rows in words: a title, a short summary and the record's fields, per type."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, select

from domain.models import OrderItem, Product
from domain.one_trip import Read, prefetch

SUMMARY_CHARS = 160


class TimelineItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: str  # order | interaction | ticket | dropoff | note | behavior
    id: int
    occurred_at: datetime
    title: str
    summary: str | None = None
    data: dict = {}


_ORDER_LINES = (
    select(OrderItem.order_id, OrderItem.product_name, OrderItem.quantity)
    .where(OrderItem.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(OrderItem.order_id, OrderItem.id)
)
_PRODUCT_NAMES = select(Product.id, Product.name).where(
    Product.id.in_(bindparam("ids", expanding=True))
)


def render_items(conn, page: list[tuple], currency: str) -> list[TimelineItem]:
    """``page`` rows are (occurred_at, type, id, columns): one extra query for order lines and one
    for product names, whatever the page holds."""
    order_ids = [r[2] for r in page if r[1] == "order"]
    product_ids = {r[3][1] for r in page if r[1] == "behavior" and r[3][1]} | {
        r[3][2] for r in page if r[1] == "dropoff" and r[3][2]
    }
    reads = ([Read(_ORDER_LINES, {"ids": order_ids})] if order_ids else []) + (
        [Read(_PRODUCT_NAMES, {"ids": sorted(product_ids)})] if product_ids else []
    )
    if len(reads) > 1:  # both in one round trip
        conn = prefetch(conn, reads)
    lines: dict[int, list[str]] = {}
    if order_ids:
        for oid, name, qty in conn.execute(_ORDER_LINES, {"ids": order_ids}).all():
            lines.setdefault(oid, []).append(f"{name} x{qty}")
    names = (
        dict(conn.execute(_PRODUCT_NAMES, {"ids": sorted(product_ids)}).all()) if product_ids else {}
    )

    def money(value) -> str:
        return f"{currency} {float(value or 0):,.0f}"

    def short(text: str | None) -> str | None:
        if not text:
            return None
        return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"

    items = []
    for at, kind, rid, c in page:
        if kind == "order":
            status, amount, channel = c
            title = f"Order #{rid}: {money(amount)} ({status})"
            summary, data = (
                ", ".join(lines.get(rid, [])) or None,
                {
                    "status": status,
                    "amount": amount,
                    "channel": channel,
                    "items": lines.get(rid, []),
                },
            )
        elif kind == "interaction":
            itype, direction, outcome, subject, notes, summ, duration, follow_up, user_id = c
            title = f"{itype.replace('_', ' ').capitalize()} ({direction})" + (
                f": {outcome}" if outcome else ""
            )
            summary = short(summ or subject or notes)
            data = {
                "type": itype,
                "direction": direction,
                "outcome": outcome,
                "subject": subject,
                "duration_seconds": duration,
                "follow_up_at": follow_up,
                "user_id": user_id,
            }
        elif kind == "ticket":
            subject, status, priority, sla_due, resolved, csat = c
            title = f"Ticket #{rid}: {subject} ({status})"
            summary = None
            data = {
                "status": status,
                "priority": priority,
                "sla_due_at": sla_due,
                "resolved_at": resolved,
                "csat": csat,
            }
        elif kind == "dropoff":
            stage, value, pid, reason, recovered = c
            title = f"Drop-off at {stage.replace('_', ' ')}: {money(value)}" + (
                " (recovered)" if recovered else ""
            )
            summary = ", ".join(x for x in (names.get(pid), reason) if x) or None
            data = {
                "stage": stage,
                "cart_value": value,
                "product_id": pid,
                "product": names.get(pid),
                "reason": reason,
                "recovered": bool(recovered),
            }
        elif kind == "note":
            ntype, body, pinned, author = c
            title = f"Note ({ntype})" + (" [pinned]" if pinned else "")
            summary, data = (
                short(body),
                {"type": ntype, "pinned": bool(pinned), "author_id": author},
            )
        else:
            btype, pid, query, count = c
            what = names.get(pid) or (f'"{query}"' if query else "")
            title = (
                f"{btype.replace('_', ' ').capitalize()}"
                + (f": {what}" if what else "")
                + (f" x{count}" if count and count > 1 else "")
            )
            summary, data = (
                None,
                {
                    "type": btype,
                    "product_id": pid,
                    "product": names.get(pid),
                    "query": query,
                    "count": count,
                },
            )
        items.append(
            TimelineItem(type=kind, id=rid, occurred_at=at, title=title, summary=summary, data=data)
        )
    return items
