"""``mark_dropoff_recovered``: a customer came back and bought what they had abandoned (write)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from domain.dropoffs import mark_recovered, open_dropoffs
from domain.errors import DomainError, NotFound
from domain.models import Customer, Dropoff, Interaction, Product, User
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import MAX_CANDIDATES, Ambiguous, CustomerRef, resolve_customer, resolve_dropoff
from tools.results import Candidate, ToolResult, local_iso, utc_iso


class MarkDropoffRecoveredArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef | None = Field(
        None,
        description="The customer (id, name, phone or email); enough when they have one open drop-off.",
    )
    dropoff_id: int | str | None = Field(None, description="The drop-off's id, when known.")
    note: str | None = Field(None, description="How it was recovered, in a few words.")

    @model_validator(mode="after")
    def _one_of(self) -> "MarkDropoffRecoveredArgs":
        if self.customer in (None, "") and self.dropoff_id in (None, ""):
            raise ValueError("give the customer or the dropoff_id (at least one of the two)")
        return self


class AttributionOut(BaseModel):
    interaction_id: int
    type: str
    occurred_at: str
    logged_by: str | None = None


class DropoffOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    stage: str
    product: str | None
    cart_value: float
    occurred_at: str
    recovered_at: str | None
    recovered_by: str | None
    note: str | None


class MarkDropoffRecoveredResult(ToolResult):
    dropoff: DropoffOut
    already_recovered: bool = False
    attributed_to: AttributionOut | None = None
    changes: dict[str, list[str]] = Field(
        default_factory=dict, description="field: [before, after]"
    )


def dropoff_label(session: Session, dropoff: Dropoff) -> str:
    product = session.get(Product, dropoff.product_id) if dropoff.product_id else None
    return f"{dropoff.stage.replace('_', ' ')}" + (f" of {product.name}" if product else "")


def _pick_dropoff(
    session: Session, ctx: ToolContext, args: MarkDropoffRecoveredArgs
) -> tuple[Customer, Dropoff]:
    if args.dropoff_id not in (None, ""):
        dropoff = resolve_dropoff(session, args.dropoff_id)
        customer = session.get(Customer, dropoff.customer_id)
        if customer is None or customer.status == "erased":
            raise NotFound(f"there is no drop-off #{dropoff.id}", field="dropoff_id")
        if args.customer not in (None, ""):
            named = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
            if named.id != customer.id:
                raise DomainError(
                    f"drop-off #{dropoff.id} belongs to {customer.name} (#{customer.id}), not to "
                    f"{named.name} (#{named.id}); check which one the user means",
                    field="dropoff_id",
                )
        return customer, dropoff
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    open_ones = open_dropoffs(session, customer.id)
    if not open_ones:
        raise NotFound(
            f"{customer.name} (#{customer.id}) has no open drop-off; nothing to recover",
            field="customer",
        )
    if len(open_ones) > 1:
        tz, currency = ctx.settings.tz, ctx.settings.currency
        candidates = [
            Candidate(
                id=d.id,
                name=dropoff_label(session, d),
                kind="dropoff",
                detail=f"{currency} {d.cart_value:,.0f}, {d.occurred_at.astimezone(tz):%Y-%m-%d}",
            )
            for d in open_ones[:MAX_CANDIDATES]
        ]
        raise Ambiguous(
            f"{customer.name} has {len(open_ones)} open drop-offs; ask which one was recovered and "
            "call again with its dropoff_id",
            candidates=candidates,
            field="dropoff_id",
        )
    return customer, open_ones[0]


def dropoff_snapshot(dropoff: Dropoff) -> dict[str, Any]:
    """The audit's picture of a drop-off's recovery fields."""
    return {
        "id": dropoff.id,
        "recovered": dropoff.recovered,
        "recovered_at": utc_iso(dropoff.recovered_at),
        "recovered_by_id": dropoff.recovered_by_id,
        "recovery_interaction_id": dropoff.recovery_interaction_id,
        "recovery_note": dropoff.recovery_note,
    }


@tool("write")
def mark_dropoff_recovered(
    ctx: ToolContext, session: Session, args: MarkDropoffRecoveredArgs
) -> MarkDropoffRecoveredResult:
    """Mark an abandoned cart, checkout or failed payment (a drop-off) as recovered.

    Use it when the user says a customer came back and completed what they had left. Give the
    dropoff_id, or just the customer when they have exactly one open drop-off (with several, the
    error lists them: ask the user which). The recovery is credited to the most recent outbound
    contact with the customer within the last 14 days, if any. A drop-off already recovered is
    reported, not recovered twice.
    """
    customer, dropoff = _pick_dropoff(session, ctx, args)
    ensure_can_act(session, ctx.actor, customer, ctx.settings)
    before = dropoff_snapshot(dropoff)
    recovery = mark_recovered(
        session,
        dropoff.id,
        user_id=ctx.actor.id,
        now=ctx.clock.now(),
        note=args.note,
        tz=ctx.settings.tz,
        monetary_thresholds=ctx.settings.rfm_monetary_thresholds,
    )
    dropoff = recovery.dropoff
    changes = {name: list(pair) for name, pair in recovery.changes.items()}
    audit(
        session,
        entity="dropoff",
        entity_id=dropoff.id,
        customer_id=customer.id,
        before=before if not recovery.already_recovered else dropoff_snapshot(dropoff),
        after={**dropoff_snapshot(dropoff), "customer_changes": changes},
    )
    return _result(session, ctx, customer, recovery, changes)


def _result(
    session: Session, ctx: ToolContext, customer: Customer, recovery, changes
) -> MarkDropoffRecoveredResult:
    dropoff, tz = recovery.dropoff, ctx.settings.tz
    by = session.get(User, dropoff.recovered_by_id) if dropoff.recovered_by_id else None
    product = session.get(Product, dropoff.product_id) if dropoff.product_id else None
    out = DropoffOut(
        id=dropoff.id,
        customer_id=customer.id,
        customer_name=customer.name,
        stage=dropoff.stage,
        product=product.name if product else None,
        cart_value=float(dropoff.cart_value),
        occurred_at=local_iso(dropoff.occurred_at, tz),
        recovered_at=local_iso(dropoff.recovered_at, tz),
        recovered_by=by.name if by else None,
        note=dropoff.recovery_note,
    )
    credit = None
    credited_row = (
        session.get(Interaction, dropoff.recovery_interaction_id)
        if dropoff.recovery_interaction_id
        else None
    )
    if credited_row is not None:
        logger = session.get(User, credited_row.user_id) if credited_row.user_id else None
        credit = AttributionOut(
            interaction_id=credited_row.id,
            type=credited_row.type,
            occurred_at=local_iso(credited_row.occurred_at, tz),
            logged_by=logger.name if logger else None,
        )
    label = (
        f"drop-off #{dropoff.id} ({dropoff_label(session, dropoff)}, {ctx.settings.currency} "
        f"{dropoff.cart_value:,.0f}) of {customer.name}"
    )
    if recovery.already_recovered:
        when = f" on {dropoff.recovered_at.astimezone(tz):%Y-%m-%d}" if dropoff.recovered_at else ""
        text = (
            f"{label[0].upper()}{label[1:]} was already recovered{when}"
            + (f" by {by.name}" if by else "")
            + "; nothing changed."
        )
    else:
        text = f"Marked {label} as recovered."
        text += (
            f" Credited to the {credit.type.replace('_', ' ')} of {credit.occurred_at[:10]}"
            + (f" by {credit.logged_by}" if credit.logged_by else "")
            + "."
            if credit
            else " No outreach in the last 14 days to credit."
        )
        text += "".join(
            f" {name.replace('_', ' ').capitalize()}: {b} -> {a}."
            for name, (b, a) in changes.items()
        )
    return MarkDropoffRecoveredResult(
        text=text,
        dropoff=out,
        already_recovered=recovery.already_recovered,
        attributed_to=credit,
        changes=changes,
    )
