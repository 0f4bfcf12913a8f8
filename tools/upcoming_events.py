"""``upcoming_events``: birthdays and wedding anniversaries of customers and their families (read)."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.events import MAX_WINDOW_DAYS, UpcomingEvent
from domain.events import upcoming_events as find_events
from domain.models import Customer
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult

MAX_LIMIT = 500
MAX_ID_FILTER = 5000  # beyond this, bound parameters get costly (and PostgreSQL caps them at 65,535)


class UpcomingEventsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(7, ge=0, le=MAX_WINDOW_DAYS,
                      description=f"How many days ahead to look, today included (0 = today only, up to "
                                  f"{MAX_WINDOW_DAYS}).")
    customer: CustomerRef | None = Field(
        None, description="Only this customer and their family: id, name (fuzzy), phone or email. "
                          "Leave out for all customers.")
    assigned_to_me: bool = Field(False, description="Only customers assigned to the acting user.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"How many events to list at most (1-{MAX_LIMIT}).")


class EventOut(BaseModel):
    """One birthday or anniversary, of the customer ("self") or of a family member."""

    customer_id: int
    customer_name: str
    kind: str  # birthday | anniversary
    whose: str  # "self", or "spouse Sarah Uddin"
    person_name: str
    relationship: str  # "self" or the family member's relationship
    family_member_id: int | None = None
    date: date  # the celebration this time round
    days_until: int
    years: int | None = None  # age turned, or years married
    phrase: str  # "wife Sarah's birthday tomorrow (turns 36)"


def event_out(event: UpcomingEvent) -> EventOut:
    return EventOut(
        customer_id=event.customer_id, customer_name=event.customer_name, kind=event.kind, whose=event.whose,
        person_name=event.person_name, relationship=event.relationship, family_member_id=event.family_member_id,
        date=event.event_date, days_until=event.days_until, years=event.years, phrase=event.phrase(),
    )


class UpcomingEventsResult(ToolResult):
    start: date
    end: date
    total: int = Field(description="events in the window before the limit")
    events: list[EventOut] = Field(default_factory=list)


@tool("read")
def upcoming_events(ctx: ToolContext, session: Session, args: UpcomingEventsArgs) -> UpcomingEventsResult:
    """List the birthdays and wedding anniversaries coming up in the next `days` days (default 7,
    today included), of customers and of their family members (spouse, children, parents...).

    Use it for "whose birthday is this week?", "any anniversaries tomorrow?", or for one customer
    (a spouse's or child's birthday). Each event says whose it is, the date, how many days
    away, and the age turned or years married. Soonest first. Reads only.
    """
    today = ctx.clock.today()
    ids: list[int] | None = None
    who = ""
    if args.customer is not None:
        customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
        ids, who = [customer.id], f" for {customer.name} (#{customer.id}) and family"
    mine: set[int] | None = None
    if args.assigned_to_me:
        query = select(Customer.id).where(Customer.assigned_to_id == ctx.actor.id)
        mine = set(session.scalars(query if ids is None else query.where(Customer.id.in_(ids))))
        who += " among your customers"
        if len(mine) <= MAX_ID_FILTER:
            ids, mine = sorted(mine), None
    events = find_events(session, today, args.days, ids)
    if mine is not None:  # too many ids for one IN list: filter the window's events instead
        events = [e for e in events if e.customer_id in mine]
    shown = [event_out(e) for e in events[: args.limit]]
    result = UpcomingEventsResult(start=today, end=date.fromordinal(today.toordinal() + args.days),
                                  total=len(events), events=shown)
    result.text = render(result, who)
    return result


def render(result: UpcomingEventsResult, who: str = "") -> str:
    span = "today" if result.start == result.end else f"{result.start:%a %d %b} to {result.end:%a %d %b %Y}"
    if not result.events:
        return f"No birthdays or anniversaries {span}{who}."
    more = f" (showing the first {len(result.events)})" if result.total > len(result.events) else ""
    plural = "s" if result.total != 1 else ""
    lines = [f"{result.total} birthday or anniversary event{plural} {span}{who}{more}:"]
    for e in result.events:
        lines.append(f"- {e.date:%a %d %b}: {e.customer_name} (#{e.customer_id}), {e.phrase}")
    return "\n".join(lines)
