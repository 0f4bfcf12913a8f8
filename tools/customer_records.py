"""Channel-only reads behind the HTTP API: a customer's notes, and their consent with its log.

Not offered to models (``get_360`` already shows the pinned and latest notes and the consent per
channel); they exist so that ``GET /customers/{id}/notes`` and ``/consent`` are thin calls of a tool.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.consent_changes import consent_log
from domain.customer360.working_notes import consent_channels
from domain.notes import customer_notes
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult

MAX_NOTES = 200


class CustomerNotesArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef
    limit: int = Field(50, ge=1, le=MAX_NOTES)
    pinned: bool | None = None


class NoteRow(BaseModel):
    id: int
    text: str
    type: str
    pinned: bool
    author: str | None
    created_at: datetime


class CustomerNotesResult(ToolResult):
    customer_id: int
    customer_name: str
    notes: list[NoteRow]


@tool("read", offered=False)
def list_notes(ctx: ToolContext, session: Session, args: CustomerNotesArgs) -> CustomerNotesResult:
    """A customer's notes, newest first, with their authors' names."""
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    tz = ctx.settings.tz
    rows = [NoteRow(id=n.id, text=n.text, type=n.type, pinned=n.pinned, author=n.author,
                    created_at=n.created_at.astimezone(tz))
            for n in customer_notes(session, customer.id, limit=args.limit, pinned=args.pinned)]
    return CustomerNotesResult(text=f"{len(rows)} note(s) of {customer.name} (#{customer.id})",
                               customer_id=customer.id, customer_name=customer.name, notes=rows)


class ConsentStatusArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef
    log_limit: int = Field(50, ge=1, le=500)


class ChannelState(BaseModel):
    channel: str
    opted_in: bool | None = Field(description="None: never asked (implied consent for one-to-one replies)")
    since: datetime | None = None
    source: str | None = None
    reason: str | None = None
    changed_by: str | None = None


class ConsentLogRow(BaseModel):
    channel: str
    opted_in: bool
    source: str
    reason: str | None
    user: str | None
    occurred_at: datetime


class ConsentStatusResult(ToolResult):
    customer_id: int
    customer_name: str
    channels: list[ChannelState]
    quiet_hours: str | None = Field(None, description="HH:MM-HH:MM in the customer's time zone")
    log: list[ConsentLogRow] = Field(description="newest first")


@tool("read", offered=False)
def consent_status(ctx: ToolContext, session: Session, args: ConsentStatusArgs) -> ConsentStatusResult:
    """A customer's consent per channel now, their quiet hours, and the consent log, newest first."""
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    tz = ctx.settings.tz
    local = lambda m: m.astimezone(tz) if m is not None else None  # noqa: E731
    channels = [ChannelState(channel=c.channel, opted_in=c.opted_in, since=local(c.since), source=c.source,
                             reason=c.reason, changed_by=c.changed_by)
                for c in consent_channels(session.connection(), customer.id)]
    quiet = (f"{customer.quiet_hours_start:%H:%M}-{customer.quiet_hours_end:%H:%M}"
             if customer.quiet_hours_start and customer.quiet_hours_end else None)
    log = [ConsentLogRow(channel=e.channel, opted_in=e.opted_in, source=e.source, reason=e.reason, user=e.user,
                         occurred_at=local(e.occurred_at)) for e in consent_log(session, customer.id, args.log_limit)]
    out = [c.channel for c in channels if c.opted_in is False]
    text = f"{customer.name} (#{customer.id}): " + (f"opted out of {', '.join(out)}" if out else "no opt-outs")
    return ConsentStatusResult(text=text, customer_id=customer.id, customer_name=customer.name,
                               channels=channels, quiet_hours=quiet, log=log)
