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
from functools import cache
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Float, and_, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from domain.customer360.render import TimelineItem, render_items
from domain.errors import DomainError
from domain.models import (
    BehaviorEvent,
    Dropoff,
    Interaction,
    Note,
    Order,
    SupportTicket,
)

MAX_TIMELINE_LIMIT = 100
SUMMARY_CHARS = 160


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
    "order": _Source(
        Order, Order.ordered_at, (Order.status, cast(Order.total_amount, Float), Order.channel)
    ),
    "interaction": _Source(
        Interaction,
        Interaction.occurred_at,
        (
            Interaction.type,
            Interaction.direction,
            Interaction.outcome,
            Interaction.subject,
            Interaction.notes,
            Interaction.summary,
            Interaction.duration_seconds,
            Interaction.follow_up_at,
            Interaction.user_id,
        ),
    ),
    "ticket": _Source(
        SupportTicket,
        SupportTicket.created_at,
        (
            SupportTicket.subject,
            SupportTicket.status,
            SupportTicket.priority,
            SupportTicket.sla_due_at,
            SupportTicket.resolved_at,
            SupportTicket.csat,
        ),
    ),
    "dropoff": _Source(
        Dropoff,
        Dropoff.occurred_at,
        (
            Dropoff.stage,
            cast(Dropoff.cart_value, Float),
            Dropoff.product_id,
            Dropoff.reason,
            Dropoff.recovered,
        ),
    ),
    "note": _Source(Note, Note.created_at, (Note.type, Note.body, Note.pinned, Note.author_id)),
    "behavior": _Source(
        BehaviorEvent,
        BehaviorEvent.occurred_at,
        (BehaviorEvent.type, BehaviorEvent.product_id, BehaviorEvent.query, BehaviorEvent.count),
    ),
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
            "or leave it out for the newest page",
            field="cursor",
        ) from None


def as_moment(
    value: date | datetime | str | None, tz: ZoneInfo, *, end_of_day: bool, field: str
) -> datetime | None:
    """A since/until bound: a date means the start (``since``) or the end (``until``) of that day in
    the business zone; a naive datetime is business-local time."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = (
                datetime.fromisoformat(value)
                if "T" in value or " " in value.strip()
                else date.fromisoformat(value)
            )
        except ValueError:
            raise DomainError(
                f"{field} must be a date (YYYY-MM-DD) or an ISO date-time, got {value!r}",
                field=field,
            ) from None
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
        raise DomainError(
            f"unknown timeline type {', '.join(unknown)}: use {', '.join(TIMELINE_TYPES)}",
            field="timeline_types",
        )
    return wanted


@cache
def _page_query(kind: str, has_start: bool, has_end: bool, relation: str | None):
    """The page query of one source, built once per shape (statement building costs more than
    running it). ``relation``: where this type sorts against the cursor's type, None without one."""
    src = SOURCES[kind]
    table_id, at = src.table.id, src.at
    query = select(table_id, at, *src.columns).where(src.table.customer_id == bindparam("cid"))
    if has_start:
        query = query.where(at >= bindparam("start", type_=at.type))
    if has_end:
        query = query.where(at < bindparam("end", type_=at.type))
    cursor_at = bindparam("at", type_=at.type)
    if (
        relation == "before"
    ):  # this type sorts below the cursor's: same instant still comes after it
        query = query.where(at <= cursor_at)
    elif relation == "same":
        query = query.where(
            or_(at < cursor_at, and_(at == cursor_at, table_id < bindparam("after_id")))
        )
    elif relation == "after":
        query = query.where(at < cursor_at)
    return query.order_by(at.desc(), table_id.desc()).limit(bindparam("lim"))


@dataclass(frozen=True)
class TimelinePlan:
    """A checked timeline request: the page query of each source and its parameters."""

    kinds: list[str]
    limit: int
    reads: list  # [(kind, query, params)]


def plan_timeline(
    customer_id: int,
    tz: ZoneInfo,
    *,
    limit: int = 20,
    types=None,
    since=None,
    until=None,
    cursor: str | None = None,
) -> TimelinePlan:
    """Check the timeline arguments (a DomainError for bad ones, before any query) and build the
    page query of every source."""
    if (
        not isinstance(limit, int)
        or isinstance(limit, bool)
        or not 1 <= limit <= MAX_TIMELINE_LIMIT
    ):
        raise DomainError(
            f"timeline_limit must be from 1 to {MAX_TIMELINE_LIMIT}, got {limit!r}",
            field="timeline_limit",
        )
    kinds = check_types(types)
    start = as_moment(since, tz, end_of_day=False, field="since")
    end = as_moment(until, tz, end_of_day=True, field="until")
    if start is not None and end is not None and start >= end:
        raise DomainError("since must be before until", field="since")
    after = decode_cursor(cursor) if cursor else None
    params = {"cid": customer_id, "lim": limit + 1}
    if start is not None:
        params["start"] = start
    if end is not None:
        params["end"] = end
    reads = []
    for kind in kinds:
        relation = None
        own = dict(params)
        if after is not None:
            relation = "before" if kind < after[1] else "same" if kind == after[1] else "after"
            own["at"] = after[0]
            if relation == "same":
                own["after_id"] = after[2]
        reads.append((kind, _page_query(kind, start is not None, end is not None, relation), own))
    return TimelinePlan(kinds=kinds, limit=limit, reads=reads)


def run_timeline(conn, plan: TimelinePlan, currency: str) -> TimelinePage:
    """The page ``plan`` asks for, read through ``conn`` (a connection or a prefetched one)."""
    rows: list[tuple] = []  # (occurred_at, kind, id, columns)
    for kind, query, params in plan.reads:
        rows.extend((r[1], kind, r[0], r[2:]) for r in conn.execute(query, params).all())
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    page = rows[: plan.limit]
    items = render_items(conn, page, currency)
    next_cursor = encode_cursor(items[-1]) if len(rows) > plan.limit and items else None
    return TimelinePage(items=items, next_cursor=next_cursor, types=plan.kinds)


def load_timeline(
    session: Session,
    customer_id: int,
    tz: ZoneInfo,
    currency: str,
    *,
    limit: int = 20,
    types=None,
    since=None,
    until=None,
    cursor: str | None = None,
) -> TimelinePage:
    """A page of the customer's timeline, newest first (``until`` exclusive for datetimes, whole day
    for dates)."""
    plan = plan_timeline(customer_id, tz, limit=limit, types=types, since=since, until=until, cursor=cursor)
    return run_timeline(session.connection(), plan, currency)
