"""``saved_segment``: the saved segments, or who is in one of them (read).

A saved segment is a named set of criteria a manager created (``c360 segment create``, ``POST
/segments``; ``domain.segments``); it is not one of the seven RFM segments, which ``rfm_segment``
lists. A name that is an RFM segment's is answered with a not-found error that says so.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.segments import MemberRow, describe_criteria, list_segments, segment_members_of
from tools.access import contact_email, contact_phone
from domain.settings import Settings
from tools.context import Actor, ToolContext
from tools.registry import tool
from tools.results import ToolResult

MAX_LIMIT = 500


class SavedSegmentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, min_length=1, max_length=100,
        description="A saved segment's name (any case): list its members. Omitted: list the saved segments.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"How many members to list (1-{MAX_LIMIT}).")
    offset: int = Field(0, ge=0, description="Skip this many members (the next page).")


class SavedSegmentOut(BaseModel):
    name: str
    criteria: dict
    description: str  # the criteria in words
    members: int
    created_at: datetime


class SegmentMemberOut(BaseModel):
    customer_id: int
    name: str
    city: str | None = None
    phone: str | None = None  # masked when the user may not act on the customer
    email: str | None = None
    temperature: str
    lifecycle_stage: str
    order_count: int
    ltv: float  # completed spend
    days_since_last_order: int | None = None
    tags: list[str] = Field(default_factory=list)


class SavedSegmentResult(ToolResult):
    segments: list[SavedSegmentOut] = Field(default_factory=list)  # without a name: every saved segment
    segment: SavedSegmentOut | None = None  # with a name: that segment
    members: list[SegmentMemberOut] = Field(default_factory=list)
    total: int = 0  # members in all (segment) or saved segments (list)


def member_out(actor: Actor, settings: Settings, row: MemberRow) -> SegmentMemberOut:
    """A member as ``actor`` may see them (phone and email masked for another agent's customer)."""
    return SegmentMemberOut(
        customer_id=row.customer_id, name=row.name, city=row.city,
        phone=contact_phone(actor, row.assigned_to_id, row.phone, settings),
        email=contact_email(actor, row.assigned_to_id, row.email, settings),
        temperature=row.temperature, lifecycle_stage=row.lifecycle_stage, order_count=row.order_count,
        ltv=row.ltv, days_since_last_order=row.days_since_last_order, tags=row.tags)


@tool("read")
def saved_segment(ctx: ToolContext, session: Session, args: SavedSegmentArgs) -> SavedSegmentResult:
    """Who is in a saved segment; with no name, the saved segments.

    A saved segment is a list a manager defined, not an RFM segment (use rfm_segment). Members come highest lifetime value first. Reads only.
    """
    currency = ctx.settings.currency
    if args.name is None:
        infos = list_segments(session)
        out = [SavedSegmentOut(name=i.name, criteria=i.criteria, description=describe_criteria(i.criteria, currency),
                               members=i.members, created_at=i.created_at) for i in infos]
        if not out:
            text = "There are no saved segments yet (a manager creates them: c360 segment create)."
        else:
            text = "\n".join([f"{len(out)} saved segment{'s' if len(out) != 1 else ''}:"]
                             + [f"  {s.name}: {s.members} member{'s' if s.members != 1 else ''} ({s.description})"
                                for s in out])
        return SavedSegmentResult(text=text, segments=out, total=len(out))
    info, rows = segment_members_of(session, args.name, ctx.clock.today(), limit=args.limit,
                                    offset=args.offset, tz=ctx.settings.tz)
    segment = SavedSegmentOut(name=info.name, criteria=info.criteria, members=info.members,
                              description=describe_criteria(info.criteria, currency), created_at=info.created_at)
    members = [member_out(ctx.actor, ctx.settings, row) for row in rows]
    head = f"Saved segment {info.name} ({segment.description}): {info.members} member{'s' if info.members != 1 else ''}"
    if members and len(members) < info.members:
        head += f", showing {args.offset + 1}-{args.offset + len(members)}"
    lines = [head + ("." if not members else ":")]
    for m in members:
        bits = [b for b in (m.city, m.temperature, f"{m.order_count} orders", f"{m.ltv:,.0f} {currency}",
                            f"last order {m.days_since_last_order} days ago"
                            if m.days_since_last_order is not None else None) if b]
        lines.append(f"  #{m.customer_id} {m.name} ({', '.join(bits)})")
    return SavedSegmentResult(text="\n".join(lines), segment=segment, members=members, total=info.members)
