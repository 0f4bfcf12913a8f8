"""One customer's merged timeline, newest first, with keyset pagination.

Every source (orders, interactions, tickets, drop-offs, notes, behaviour) is read through its
(customer_id, time) index, ``limit + 1`` rows at most, then merged in Python. The order is
(occurred_at, type, id) descending; the cursor is that key of the last item shown, so a page
never repeats or skips an item even when new records arrive between pages.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Float, and_, cast, or_, select
from sqlalchemy.orm import Session

from domain.errors import DomainError
from domain.models import BehaviorEvent, Dropoff, Interaction, Note, Order, OrderItem, Product, SupportTicket

MAX_TIMELINE_LIMIT = 100
SUMMARY_CHARS = 160


class TimelineItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: str  # order | interaction | ticket | dropoff | note | behavior
    id: int
    occurred_at: datetime
    title: str
    summary: str | None = None
    data: dict = {}


class TimelinePage(BaseModel):
    model_config = ConfigDict(frozen=True)
    items: list[TimelineItem]
    next_cursor: str | None  # pass back as ``cursor`` for the next (older) page; None: no more
    types: list[str]


@dataclass(frozen=True)
class _Source:
    table: type
    at: object  # the time column
    columns: tuple


SOURCES: dict[str, _Source] = {
    "order": _Source(Order, Order.ordered_at, (Order.status, cast(Order.total_amount, Float), Order.channel)),
    "interaction": _Source(Interaction, Interaction.occurred_at, (
        Interaction.type, Interaction.direction, Interaction.outcome, Interaction.subject, Interaction.notes,
        Interaction.summary, Interaction.duration_seconds, Interaction.follow_up_at, Interaction.user_id)),
    "ticket": _Source(SupportTicket, SupportTicket.created_at, (
        SupportTicket.subject, SupportTicket.status, SupportTicket.priority, SupportTicket.sla_due_at,
        SupportTicket.resolved_at, SupportTicket.csat)),
    "dropoff": _Source(Dropoff, Dropoff.occurred_at, (
        Dropoff.stage, cast(Dropoff.cart_value, Float), Dropoff.product_id, Dropoff.reason, Dropoff.recovered)),
    "note": _Source(Note, Note.created_at, (Note.type, Note.body, Note.pinned, Note.author_id)),
    "behavior": _Source(BehaviorEvent, BehaviorEvent.occurred_at, (
        BehaviorEvent.type, BehaviorEvent.product_id, BehaviorEvent.query, BehaviorEvent.count)),
}
TIMELINE_TYPES = tuple(sorted(SOURCES))


def encode_cursor(item: TimelineItem) -> str:
    raw = json.dumps([item.occurred_at.isoformat(), item.type, item.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str, int]:
    """The (occurred_at, type, id) key inside a cursor; a clear error for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, kind, record_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(at)
        if kind not in SOURCES or not isinstance(record_id, int) or moment.tzinfo is None:
            raise ValueError(cursor)
        return moment, kind, record_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise DomainError(
            "the timeline cursor is not one this view returned: pass next_cursor unchanged, "
            "or leave it out for the newest page", field="cursor",
        ) from None


def as_moment(value: date | datetime | str | None, tz: ZoneInfo, *, end_of_day: bool, field: str) -> datetime | None:
    """A since/until bound: a date means the start (``since``) or the end (``until``) of that day in
    the business zone; a naive datetime is business-local time."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            raise DomainError(f"{field} must be a date (YYYY-MM-DD) or an ISO date-time, got {value!r}",
                              field=field) from None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    day = value + timedelta(days=1) if end_of_day else value
    return datetime.combine(day, time(0), tz)


def check_types(types) -> list[str]:
    if not types:
        return list(TIMELINE_TYPES)
    wanted = sorted({str(t).strip().lower() for t in types})
    unknown = [t for t in wanted if t not in SOURCES]
    if unknown:
        raise DomainError(f"unknown timeline type {', '.join(unknown)}: use {', '.join(TIMELINE_TYPES)}",
                          field="timeline_types")
    return wanted


def load_timeline(
    session: Session, customer_id: int, tz: ZoneInfo, currency: str, *, limit: int = 20, types=None,
    since=None, until=None, cursor: str | None = None,
) -> TimelinePage:
    """A page of the customer's timeline, newest first (``until`` exclusive for datetimes, whole day
    for dates)."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_TIMELINE_LIMIT:
        raise DomainError(f"timeline_limit must be from 1 to {MAX_TIMELINE_LIMIT}, got {limit!r}",
                          field="timeline_limit")
    kinds = check_types(types)
    start = as_moment(since, tz, end_of_day=False, field="since")
    end = as_moment(until, tz, end_of_day=True, field="until")
    if start is not None and end is not None and start >= end:
        raise DomainError("since must be before until", field="since")
    after = decode_cursor(cursor) if cursor else None
    conn = session.connection()
    rows: list[tuple] = []  # (occurred_at, kind, id, columns)
    for kind in kinds:
        src = SOURCES[kind]
        table_id = src.table.id
        query = select(table_id, src.at, *src.columns).where(src.table.customer_id == customer_id)
        if start is not None:
            query = query.where(src.at >= start)
        if end is not None:
            query = query.where(src.at < end)
        if after is not None:
            at, after_kind, after_id = after
            if kind < after_kind:
                query = query.where(src.at <= at)
            elif kind == after_kind:
                query = query.where(or_(src.at < at, and_(src.at == at, table_id < after_id)))
            else:
                query = query.where(src.at < at)
        query = query.order_by(src.at.desc(), table_id.desc()).limit(limit + 1)
        rows.extend((r[1], kind, r[0], r[2:]) for r in conn.execute(query).all())
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    page = rows[:limit]
    items = _render(conn, page, currency)
    next_cursor = encode_cursor(items[-1]) if len(rows) > limit and items else None
    return TimelinePage(items=items, next_cursor=next_cursor, types=kinds)


def _render(conn, page: list[tuple], currency: str) -> list[TimelineItem]:
    order_ids = [r[2] for r in page if r[1] == "order"]
    lines: dict[int, list[str]] = {}
    if order_ids:
        for oid, name, qty in conn.execute(
            select(OrderItem.order_id, OrderItem.product_name, OrderItem.quantity)
            .where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.order_id, OrderItem.id)
        ).all():
            lines.setdefault(oid, []).append(f"{name} x{qty}")
    product_ids = {r[3][1] for r in page if r[1] == "behavior" and r[3][1]} | {
        r[3][2] for r in page if r[1] == "dropoff" and r[3][2]}
    names = dict(conn.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids))).all()) if product_ids else {}

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
            summary, data = ", ".join(lines.get(rid, [])) or None, {
                "status": status, "amount": amount, "channel": channel, "items": lines.get(rid, [])}
        elif kind == "interaction":
            itype, direction, outcome, subject, notes, summ, duration, follow_up, user_id = c
            title = f"{itype.replace('_', ' ').capitalize()} ({direction})" + (f": {outcome}" if outcome else "")
            summary = short(summ or subject or notes)
            data = {"type": itype, "direction": direction, "outcome": outcome, "subject": subject,
                    "duration_seconds": duration, "follow_up_at": follow_up, "user_id": user_id}
        elif kind == "ticket":
            subject, status, priority, sla_due, resolved, csat = c
            title = f"Ticket #{rid}: {subject} ({status})"
            summary = None
            data = {"status": status, "priority": priority, "sla_due_at": sla_due, "resolved_at": resolved,
                    "csat": csat}
        elif kind == "dropoff":
            stage, value, pid, reason, recovered = c
            title = f"Drop-off at {stage.replace('_', ' ')}: {money(value)}" + (" (recovered)" if recovered else "")
            summary = ", ".join(x for x in (names.get(pid), reason) if x) or None
            data = {"stage": stage, "cart_value": value, "product_id": pid, "product": names.get(pid),
                    "reason": reason, "recovered": bool(recovered)}
        elif kind == "note":
            ntype, body, pinned, author = c
            title = f"Note ({ntype})" + (" [pinned]" if pinned else "")
            summary, data = short(body), {"type": ntype, "pinned": bool(pinned), "author_id": author}
        else:
            btype, pid, query, count = c
            what = names.get(pid) or (f'"{query}"' if query else "")
            title = f"{btype.replace('_', ' ').capitalize()}" + (f": {what}" if what else "") + (
                f" x{count}" if count and count > 1 else "")
            summary, data = None, {"type": btype, "product_id": pid, "product": names.get(pid), "query": query,
                                   "count": count}
        items.append(TimelineItem(type=kind, id=rid, occurred_at=at, title=title, summary=summary, data=data))
    return items
