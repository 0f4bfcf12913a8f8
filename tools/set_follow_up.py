"""``set_follow_up``: schedule, move or close a customer's open follow-up, with a note (write)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.follow_ups import open_follow_up
from domain.follow_ups import set_follow_up as set_or_close
from domain.models import FollowUp, User
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult, local_iso, utc_iso


class SetFollowUpArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(
        description="The customer: id, name (fuzzy), phone number in any form, or email."
    )
    at: date | datetime | None = Field(
        None,
        description="When to contact them: a date YYYY-MM-DD (then at the customer's best time, or "
        "10:00) or an ISO date-time (business local time when no offset). Not in the past. "
        "Omit it (or null) to close the open follow-up.",
    )
    note: str | None = Field(None, description="Why, in a few words (what to follow up on, or why "
                                               "it is cancelled).")


class FollowUpOut(BaseModel):
    id: int
    customer_id: int
    due_at: str  # business-local ISO date-time
    date: date
    note: str | None = None
    set_by: str | None = None
    open: bool
    close_reason: str | None = None  # answered, replaced, cancelled


class SetFollowUpResult(ToolResult):
    customer_id: int
    customer_name: str
    follow_up: FollowUpOut | None = Field(None, description="the open follow-up after this call")
    closed: FollowUpOut | None = Field(None, description="the follow-up this call replaced or closed")
    changed: bool = True


def snapshot(row: FollowUp | None) -> dict[str, Any] | None:
    """The audit's picture of a follow-up."""
    if row is None:
        return None
    return {
        "id": row.id, "customer_id": row.customer_id, "due_at": utc_iso(row.due_at), "note": row.note,
        "set_at": utc_iso(row.set_at), "set_by_id": row.set_by_id, "interaction_id": row.interaction_id,
        "closed_at": utc_iso(row.closed_at), "close_reason": row.close_reason,
        "close_note": row.close_note,
    }


def _out(session: Session, row: FollowUp | None, tz) -> FollowUpOut | None:
    if row is None:
        return None
    by = session.get(User, row.set_by_id) if row.set_by_id else None
    return FollowUpOut(
        id=row.id, customer_id=row.customer_id, due_at=local_iso(row.due_at, tz),
        date=row.due_at.astimezone(tz).date(), note=row.note, set_by=by.name if by else None,
        open=row.closed_at is None, close_reason=row.close_reason,
    )


@tool("write")
def set_follow_up(ctx: ToolContext, session: Session, args: SetFollowUpArgs) -> SetFollowUpResult:
    """Schedule, move or cancel a customer's follow-up (the next planned contact), with a note.

    Use it for "remind me to call her Monday", "move his follow-up to the 28th", "cancel the
    follow-up with X". A customer has at most one open follow-up: a new time replaces it. Without
    ``at`` the open follow-up is closed (cancelled). It never logs a contact: to record a call
    that happened, use log_interaction (its follow_up_at also sets the next follow-up). A time in
    the past is refused.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    ensure_can_act(session, ctx.actor, customer, ctx.settings)
    tz = ctx.settings.tz
    before = snapshot(open_follow_up(session, customer.id))
    done = set_or_close(
        session, customer.id, args.at, note=args.note, user_id=ctx.actor.id, now=ctx.clock.now(),
        tz=tz, monetary_thresholds=ctx.settings.rfm_monetary_thresholds,
    )
    if done.changed:
        target = done.open or done.closed
        audit(
            session, entity="follow_up", entity_id=target.id if target else None,
            customer_id=customer.id, before=before,
            after={"open": snapshot(done.open), "closed": snapshot(done.closed),
                   "customer_changes": {k: list(v) for k, v in done.changes.items()}},
        )
    opened, closed = _out(session, done.open, tz), _out(session, done.closed, tz)
    who = f"{customer.name} (#{customer.id})"
    if not done.changed and opened is None:
        text = f"{who} has no open follow-up; nothing to close, nothing changed."
    elif not done.changed:
        text = f"{who} already has a follow-up for {_when(done.open, tz)}; nothing changed."
    elif opened is None:
        text = f"Closed {customer.name}'s follow-up that was due {_when(done.closed, tz)}" + (
            f" ({done.closed.close_note})." if done.closed.close_note else "."
        ) + " No follow-up is open now."
    elif closed is not None:
        text = (f"Moved {customer.name}'s follow-up from {_when(done.closed, tz)} to "
                f"{_when(done.open, tz)}" + (f": {done.open.note}." if done.open.note else "."))
    else:
        text = (f"Follow-up with {who} set for {_when(done.open, tz)}"
                + (f": {done.open.note}." if done.open.note else "."))
    return SetFollowUpResult(
        text=text, customer_id=customer.id, customer_name=customer.name, follow_up=opened,
        closed=closed, changed=done.changed,
    )


def _when(row: FollowUp, tz) -> str:
    return f"{row.due_at.astimezone(tz):%a %d %b %Y at %H:%M}"
