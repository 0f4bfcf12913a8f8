"""``update_opportunity``: move a customer's deal to a stage, change its value or probability, win or lose it (write)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.errors import DomainError
from domain.opportunities import STAGES, AmbiguousDeal, find_deal, snapshot, update_deal
from tools.access import can_see_private
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import Ambiguous, CustomerRef, fold_enum, resolve_customer
from tools.results import Candidate, ToolResult


class UpdateOpportunityArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    opportunity: int | str | None = Field(
        None, description="The deal: its id or name (fuzzy). Omitted: the customer's only open deal.")
    stage: str | None = Field(None, description=f"New stage: {', '.join(STAGES)}.")
    value: float | str | None = Field(None, description="New deal value (amount in the business currency).")
    probability: float | str | None = Field(None, description="Chance to win, a percentage 0-100.")
    status: Literal["open", "won", "lost"] | None = Field(
        None, description="won (probability becomes 100) or lost (0); open to reopen.")

    @field_validator("status", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        return fold_enum(value)


class DealChangeOut(BaseModel):
    field: str
    before: Any
    after: Any


class DealOut(BaseModel):
    id: int
    name: str
    stage: str
    value: float | None  # None: hidden from this user (not their customer)
    probability: float  # percent
    status: str


class UpdateOpportunityResult(ToolResult):
    customer_id: int
    customer_name: str
    opportunity: DealOut
    changes: list[DealChangeOut]


def _deal(session: Session, customer_id: int, ref):
    try:
        return find_deal(session, customer_id, ref)
    except AmbiguousDeal as exc:
        raise Ambiguous(exc.message, field="opportunity", candidates=[
            Candidate(id=d.id, name=d.name, kind="opportunity",
                      detail=f"{d.stage.replace('_', ' ')}, {d.status}") for d in exc.deals[:5]]) from None


def preview_deal(ctx: ToolContext, session: Session, args: UpdateOpportunityArgs) -> list[str]:
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    deal = _deal(session, customer.id, args.opportunity)
    now = snapshot(deal)
    return [f"deal #{deal.id} {deal.name}: now {now['stage'].replace('_', ' ')}, "
            f"{now['probability']:g}%, {now['status']}"]


@tool("write", preview=preview_deal)
def update_opportunity(ctx: ToolContext, session: Session, args: UpdateOpportunityArgs) -> UpdateOpportunityResult:
    """Update a customer's deal (opportunity): move it to a stage, change its value or probability, mark it won or lost.

    The deal is found among that customer's deals by id or name; with no deal named, their only
    open deal. Stages: qualification, needs_analysis, proposal, negotiation, closed_won,
    closed_lost. Won means probability 100 and lost 0 (set for you); a won deal with a lower
    probability, an unknown stage or an open deal in a closed stage is refused, naming the field.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    deal = _deal(session, customer.id, args.opportunity)
    if all(v is None for v in (args.stage, args.value, args.probability, args.status)):
        raise DomainError("say what to change: stage, value, probability or status", field="stage")
    before = snapshot(deal)
    changes = update_deal(deal, stage=args.stage, value=args.value, probability=args.probability,
                          status=args.status, now=ctx.clock.now())
    session.flush()
    visible = can_see_private(ctx.actor, customer)
    if changes:
        audit(session, entity="opportunity", entity_id=deal.id, customer_id=customer.id,
              before=before, after=snapshot(deal))

    def shown(change) -> str:
        if change.field == "value" and not visible:
            return "value changed"
        unit = "%" if change.field == "probability" else ""
        fmt = (lambda v: f"{v:g}{unit}") if change.field in ("probability", "value") else (
            lambda v: str(v).replace("_", " "))
        return f"{change.field} {fmt(change.before)} -> {fmt(change.after)}"

    head = f"Deal #{deal.id} {deal.name} of {customer.name} (#{customer.id})"
    text = f"{head}: {'; '.join(shown(c) for c in changes)}." if changes else f"Nothing changed on {head}: it already is so."
    after = snapshot(deal)
    return UpdateOpportunityResult(
        text=text, customer_id=customer.id, customer_name=customer.name,
        opportunity=DealOut(id=deal.id, name=deal.name, stage=after["stage"],
                            value=after["value"] if visible else None,
                            probability=after["probability"], status=after["status"]),
        changes=[DealChangeOut(field=c.field, before=c.before if (c.field != "value" or visible) else None,
                               after=c.after if (c.field != "value" or visible) else None) for c in changes])
