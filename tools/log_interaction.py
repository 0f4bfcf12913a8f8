"""``log_interaction``: record a call, message or meeting with a customer (write)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.enums import Direction, InteractionType, Outcome
from domain.interactions import record_interaction
from domain.models import Customer, Interaction
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import CustomerRef, fold_enum, resolve_customer, resolve_product
from tools.results import ToolResult, local_iso, utc_iso


class LogInteractionArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(
        description="The customer: id, name (fuzzy), phone number in any form, or email."
    )
    type: InteractionType = Field(description="How the contact happened.")
    notes: str = Field(min_length=1, description="What was said or agreed, in a sentence or two.")
    direction: Direction = Field(
        Direction.outbound, description="outbound: we contacted them; inbound: they us."
    )
    outcome: Outcome | None = Field(
        None, description="The result of the contact, when one is clear."
    )
    duration_seconds: int | None = Field(
        None, description="Length of the contact in seconds (0 to 43200); for calls and meetings."
    )
    follow_up_at: date | datetime | None = Field(
        None,
        description="When to contact them again: a date YYYY-MM-DD (then at the customer's best time, "
        "or 10:00) or an ISO date-time; business local time when no offset. Not in the past.",
    )
    products: list[str | int] = Field(
        default_factory=list, description="Products mentioned, by catalogue name (fuzzy) or id."
    )
    occurred_at: date | datetime | None = Field(
        None,
        description="When it happened, if not just now: ISO date-time, or a date (then 12:00 that day).",
    )

    @field_validator("type", "direction", "outcome", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        return fold_enum(value)


class ProductRef(BaseModel):
    id: int
    name: str


class FieldChange(BaseModel):
    field: str
    before: str | None
    after: str | None


class ScheduledFollowUp(BaseModel):
    due_at: str  # ISO, business time zone
    date: date


class InteractionOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    type: str
    direction: str
    outcome: str | None
    notes: str
    occurred_at: str
    duration_seconds: int | None
    products: list[ProductRef]


class LogInteractionResult(ToolResult):
    interaction: InteractionOut
    changes: list[FieldChange] = Field(default_factory=list)
    follow_up: ScheduledFollowUp | None = None
    closed_follow_ups: list[int] = Field(
        default_factory=list,
        description="ids of the follow-ups this contact closed: answered, or replaced by the new one",
    )


def occurred_moment(value: date | datetime | None, ctx: ToolContext) -> datetime | None:
    """A date means noon that day, or now when it is today; naive date-times are business-local."""
    if value is None or isinstance(value, datetime):
        return ctx.clock.localize(value) if value is not None else None
    if value == ctx.clock.today():
        return None
    return datetime.combine(value, time(12, 0), tzinfo=ctx.settings.tz)


def interaction_snapshot(row: Interaction) -> dict[str, Any]:
    """The audit's picture of an interaction row."""
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "user_id": row.user_id,
        "type": row.type,
        "direction": row.direction,
        "outcome": row.outcome,
        "notes": row.notes,
        "duration_seconds": row.duration_seconds,
        "occurred_at": utc_iso(row.occurred_at),
        "follow_up_at": utc_iso(row.follow_up_at),
        "product_ids": [p.id for p in row.products],
        "idempotency_key": row.idempotency_key,
    }


DERIVED = ("temperature", "lifecycle_stage", "customer_type")


@tool("write")
def log_interaction(
    ctx: ToolContext, session: Session, args: LogInteractionArgs
) -> LogInteractionResult:
    """Log a contact with a customer (call, WhatsApp, SMS, email, meeting, Facebook, Instagram, in person).

    Use it after the user says they talked to or messaged a customer. Records the notes, outcome,
    duration and products mentioned (matched against the catalogue), schedules a follow-up when
    one is asked for ("call back Friday" -> follow_up_at with that date; it replaces the open
    one), closes the open follow-up when this contact reached the customer on or after its day
    (a no-answer or an earlier contact leaves it open), and updates the customer's temperature and lifecycle stage.
    Returns what changed (before -> after) and the follow-up it scheduled. A follow-up in the past
    or a duration below 0 or over 12 hours is refused.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    ensure_can_act(session, ctx.actor, customer, ctx.settings)
    products = list(
        {p.id: p for p in (resolve_product(session, ref) for ref in args.products)}.values()
    )
    before = {name: getattr(customer, name) for name in DERIVED}
    logged = record_interaction(
        session,
        customer.id,
        user_id=ctx.actor.id,
        type=args.type.value,
        direction=args.direction.value,
        notes=args.notes,
        outcome=args.outcome.value if args.outcome else None,
        duration_seconds=args.duration_seconds,
        follow_up_at=args.follow_up_at,
        product_ids=[p.id for p in products],
        occurred_at=occurred_moment(args.occurred_at, ctx),
        idempotency_key=ctx.idempotency_key,
        now=ctx.clock.now(),
        tz=ctx.settings.tz,
        monetary_thresholds=ctx.settings.rfm_monetary_thresholds,
    )
    row = logged.interaction
    before.update({name: change[0] for name, change in logged.changes.items()})
    after = {name: change[1] for name, change in logged.changes.items()}
    audit(
        session,
        entity="interaction",
        entity_id=row.id,
        customer_id=customer.id,
        before={"customer": before, "open_follow_ups": logged.closed_follow_up_ids},
        after={
            "interaction": interaction_snapshot(row),
            "customer": {**before, **after},
            "closed_follow_ups": logged.closed_follow_up_ids,
        },
    )
    return _result(ctx, customer, logged)


def _result(ctx: ToolContext, customer: Customer, logged) -> LogInteractionResult:
    row, tz = logged.interaction, ctx.settings.tz
    changes = [
        FieldChange(field=name, before=b, after=a) for name, (b, a) in logged.changes.items()
    ]
    follow_up = None
    if logged.follow_up_at is not None:
        follow_up = ScheduledFollowUp(
            due_at=local_iso(logged.follow_up_at, tz),
            date=logged.follow_up_at.astimezone(tz).date(),
        )
    out = InteractionOut(
        id=row.id,
        customer_id=customer.id,
        customer_name=customer.name,
        type=row.type,
        direction=row.direction,
        outcome=row.outcome,
        notes=row.notes,
        occurred_at=local_iso(row.occurred_at, tz),
        duration_seconds=row.duration_seconds,
        products=[ProductRef(id=p.id, name=p.name) for p in row.products],
    )
    text = [
        f"Logged {row.direction} {row.type.replace('_', ' ')} with {customer.name} (#{customer.id}) "
        f"at {row.occurred_at.astimezone(tz):%Y-%m-%d %H:%M}"
        + (f", outcome {row.outcome}" if row.outcome else "")
        + (f", products: {', '.join(p.name for p in row.products)}" if row.products else "")
        + "."
    ]
    text += [f"{c.field.replace('_', ' ').capitalize()}: {c.before} -> {c.after}." for c in changes]
    if follow_up:
        due = logged.follow_up_at.astimezone(tz)
        text.append(f"Follow-up scheduled for {due:%a %d %b %Y at %H:%M}.")
    for closed in logged.closed_follow_ups:
        due_day = f"{closed.due_at.astimezone(tz):%a %d %b %Y}"
        if closed.close_reason == "answered":
            text.append(f"Closed 1 earlier follow-up: it was due {due_day} and this contact answers it.")
        else:
            text.append(f"It replaces the follow-up that was due {due_day}.")
    return LogInteractionResult(
        text=" ".join(text),
        interaction=out,
        changes=changes,
        follow_up=follow_up,
        closed_follow_ups=logged.closed_follow_up_ids,
    )
