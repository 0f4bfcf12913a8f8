"""``add_family_member``: record a customer's spouse, child, parent... with their dates (write)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.enums import Relationship
from domain.events import upcoming_events
from domain.family import add_family_member as add_member
from domain.models import FamilyMember
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import CustomerRef, fold_enum, resolve_customer
from tools.results import ToolResult

UPCOMING_DAYS = 30  # an event this close is worth telling the user about right away


class AddFamilyMemberArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(
        description="The customer: id, name (fuzzy), phone number in any form, or email."
    )
    name: str = Field(min_length=1, description="The family member's full name.")
    relationship: Relationship = Field(description="What the family member is to the customer.")
    date_of_birth: date | None = Field(None, description="Birthday, YYYY-MM-DD.")
    anniversary_date: date | None = Field(None, description="Wedding anniversary, YYYY-MM-DD.")
    phone: str | None = Field(None, description="Their own mobile number, any common form.")
    email: str | None = Field(None, description="Their email address.")
    gender: str | None = Field(None, description="male, female or other.")
    profession: str | None = Field(None, description="What they do for a living.")

    @field_validator("relationship", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        return fold_enum(value)


class FamilyMemberOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    name: str
    relationship: str
    date_of_birth: date | None = None
    anniversary_date: date | None = None
    phone: str | None = None
    email: str | None = None
    gender: str | None = None
    profession: str | None = None


class EventOut(BaseModel):
    kind: str  # birthday | anniversary
    date: date
    days_until: int
    years: int | None
    phrase: str


class AddFamilyMemberResult(ToolResult):
    member: FamilyMemberOut
    upcoming_events: list[EventOut] = Field(
        default_factory=list,
        description=f"this member's birthday or anniversary within {UPCOMING_DAYS} days",
    )


def member_snapshot(member: FamilyMember) -> dict[str, Any]:
    """The audit's picture of a family member row."""
    return {
        "id": member.id,
        "customer_id": member.customer_id,
        "name": member.name,
        "relationship": member.relationship,
        "date_of_birth": member.date_of_birth.isoformat() if member.date_of_birth else None,
        "anniversary_date": member.anniversary_date.isoformat()
        if member.anniversary_date
        else None,
        "phone": member.phone,
        "email": member.email,
        "gender": member.gender,
        "profession": member.profession,
    }


@tool("write")
def add_family_member(
    ctx: ToolContext, session: Session, args: AddFamilyMemberArgs
) -> AddFamilyMemberResult:
    """Add a family member (spouse, child, parent, sibling, grandparent, other) to a customer's profile.

    Use it when the user mentions a customer's relative worth remembering, especially with a
    birthday or anniversary (they drive call lists and offers). Refuses the same name with the
    same relationship twice, and impossible dates (in the future, an anniversary before birth, a
    child older than the customer). Returns the member and any birthday or anniversary of theirs
    coming up in the next 30 days.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    ensure_can_act(session, ctx.actor, customer, ctx.settings)
    today = ctx.clock.today()
    member = add_member(
        session,
        customer.id,
        name=args.name,
        relationship=args.relationship.value,
        today=today,
        date_of_birth=args.date_of_birth,
        anniversary_date=args.anniversary_date,
        phone=args.phone,
        email=args.email,
        gender=args.gender,
        profession=args.profession,
        region=ctx.settings.phone_region,
        now=ctx.clock.now(),
    )
    audit(
        session,
        entity="family_member",
        entity_id=member.id,
        customer_id=customer.id,
        before=None,
        after=member_snapshot(member),
    )
    events = [
        EventOut(
            kind=e.kind,
            date=e.event_date,
            days_until=e.days_until,
            years=e.years,
            phrase=e.phrase(),
        )
        for e in upcoming_events(session, today, UPCOMING_DAYS, [customer.id])
        if e.family_member_id == member.id
    ]
    out = FamilyMemberOut(
        customer_id=customer.id,
        customer_name=customer.name,
        **{k: v for k, v in member_snapshot(member).items() if k != "customer_id"},
    )
    text = f"Added {member.name} as {customer.name}'s {member.relationship} (family member #{member.id})."
    if events:
        text += " Coming up: " + "; ".join(f"{e.phrase} ({e.date})" for e in events) + "."
    return AddFamilyMemberResult(text=text, member=out, upcoming_events=events)
