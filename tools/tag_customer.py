"""``tag_customer``: add and/or remove a customer's tags (write)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.models import Customer
from domain.segments import refresh_members
from domain.tags import change_tags, clean_tag_lists, customer_tags
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult


class TagCustomerArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    add: list[str] = Field(default_factory=list, description="Tags to add, e.g. eid-shopper (lower case, "
                                                             "spaces become hyphens, at most 50 characters).")
    remove: list[str] = Field(default_factory=list, description="Tags to take off.")

    @field_validator("add", "remove", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else ([] if value is None else value)


class TagCustomerResult(ToolResult):
    customer_id: int
    customer_name: str
    added: list[str]
    removed: list[str]
    already_present: list[str]
    not_present: list[str]
    tags: list[str]  # the customer's tags after the change


def preview_tags(ctx: ToolContext, session: Session, args: TagCustomerArgs) -> list[str]:
    adding, removing = clean_tag_lists(args.add, args.remove)
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    have = set(customer_tags(session, customer.id))
    lines = [f"add {t}" + (" (already there: unchanged)" if t in have else "") for t in adding]
    lines += [f"remove {t}" + ("" if t in have else " (not there: unchanged)") for t in removing]
    return lines


@tool("write", preview=preview_tags)
def tag_customer(ctx: ToolContext, session: Session, args: TagCustomerArgs) -> TagCustomerResult:
    """Add tags to a customer and/or remove tags from them (labels such as eid-shopper, bulk-buyer).

    Tags are stored in lower case with spaces as hyphens, unique per customer; they feed saved
    segments. Adding a tag the customer already has, or removing one they lack, changes nothing
    and is said so. Refuses a tag over 50 characters and a tag both added and removed.
    """
    customer: Customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    change = change_tags(session, customer.id, args.add, args.remove)
    if change.changed:  # saved segments with a tag criterion gain or lose them in this transaction
        refresh_members(session, ctx.clock.today(), [customer.id], tz=ctx.settings.tz,
                        thresholds=ctx.settings.rfm_monetary_thresholds)
        audit(session, entity="tags", entity_id=None, customer_id=customer.id,
              before={"tags": change.before}, after={"tags": change.after, "added": change.added,
                                                     "removed": change.removed})
    parts = []
    if change.added:
        parts.append(f"added {', '.join(change.added)}")
    if change.removed:
        parts.append(f"removed {', '.join(change.removed)}")
    who = f"{customer.name} (#{customer.id})"
    text = f"Tags of {who}: {'; '.join(parts)}." if parts else f"Nothing changed on {who}'s tags."
    if change.already_present:
        text += f" Already tagged: {', '.join(change.already_present)}."
    if change.not_present:
        text += f" Not tagged, so not removed: {', '.join(change.not_present)}."
    text += f" Tags now: {', '.join(change.after) or 'none'}."
    return TagCustomerResult(text=text, customer_id=customer.id, customer_name=customer.name,
                             added=change.added, removed=change.removed,
                             already_present=change.already_present, not_present=change.not_present,
                             tags=change.after)
