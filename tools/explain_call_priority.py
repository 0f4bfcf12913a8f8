"""``explain_call_priority``: why a customer is, or is not, on a call list (read).

An extra read-only tool (CONTRACT: extra read tools are allowed); the answer comes from the same
ranking as ``call_priority_list``.
"""
from __future__ import annotations

from datetime import date as Date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.call_priority.explain import explain
from domain.call_priority.ranking import MAX_LIMIT
from domain.enums import LifecycleStage, Temperature
from domain.errors import DomainError
from tools.call_priority_list import _STAGE_ALIASES, FactorOut, _city_value, _enum_value
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult


class ExplainCallPriorityArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer asked about: id, name, phone or email.")
    date: Date | None = Field(None, description="The call list's day, YYYY-MM-DD; default today.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="The list's length (default 10).")
    temperature: Temperature | None = Field(None, description="The list's temperature filter, if any.")
    lifecycle_stage: LifecycleStage | None = Field(None, description="The list's lifecycle filter, if any.")
    assigned_to_me: bool = Field(False, description="Whether the list is the acting user's customers only.")
    city: str | None = Field(None, description="The list's city filter, if any.")

    @field_validator("city", mode="before")
    @classmethod
    def _city(cls, value: Any) -> Any:
        return _city_value(value)

    @field_validator("temperature", mode="before")
    @classmethod
    def _temperature(cls, value: Any) -> Any:
        return _enum_value(value, Temperature, "temperature")

    @field_validator("lifecycle_stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> Any:
        return _enum_value(value, LifecycleStage, "lifecycle_stage", _STAGE_ALIASES)


class ExplainCallPriorityResult(ToolResult):
    customer_id: int
    name: str
    date: Date
    on_list: bool
    rule: str = Field(description="on_list, below_cut, filtered, assigned_elsewhere, do_not_call or "
                                  "not_eligible")
    reason: str
    rank: int | None = Field(None, description="place on the list asked about (its filters)")
    eligible_count: int
    overall_rank: int | None = Field(None, description="place among every eligible customer")
    overall_count: int
    limit: int
    cut_points: float | None = None
    score: float | None = None
    points: float | None = None
    factors: list[FactorOut] = Field(default_factory=list)
    offer_type: str | None = None
    offer_reason: str | None = None
    next_action: str | None = None


@tool("read")
def explain_call_priority(ctx: ToolContext, session: Session,
                          args: ExplainCallPriorityArgs) -> ExplainCallPriorityResult:
    """Why a customer is on the call list, or why not, from the ranking itself.

    Use it for "why is X on my list?", "why isn't X on my list?", "where does X rank?". Gives the
    factors with their points (follow-up due or lapsed, birthday, hot, cart, At Risk; recent
    "not interested" or complaint as negative points), the customer's rank on the list asked
    about and among everybody, or the rule that kept them off: not eligible (not active),
    do-not-call, filtered out (temperature or lifecycle), assigned to someone else, or ranked
    below the list's cut. Pass the same filters as the list in question. Reads only.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    today = ctx.clock.today()
    day = args.date or today
    if day < today:
        raise DomainError(f"date {day.isoformat()} is in the past: a call list is for today "
                          f"({today.isoformat()}) or a later day", field="date")
    done = explain(
        session, customer.id, day, limit=args.limit,
        temperature=args.temperature.value if args.temperature else None,
        lifecycle_stage=args.lifecycle_stage.value if args.lifecycle_stage else None,
        assigned_to_id=ctx.actor.id if args.assigned_to_me else None, city=args.city,
        now=ctx.clock.now() if day == today else None, settings=ctx.settings,
    )
    e = done.entry
    result = ExplainCallPriorityResult(
        customer_id=done.customer_id, name=done.name, date=day, on_list=done.rule == "on_list",
        rule=done.rule, reason=done.reason, rank=done.rank, eligible_count=done.eligible_count,
        overall_rank=done.overall_rank, overall_count=done.overall_count, limit=done.limit,
        cut_points=done.cut_points,
        score=e.score if e else None, points=e.points if e else None,
        factors=[FactorOut(name=f.name, points=f.points, detail=f.detail) for f in e.factors] if e else [],
        offer_type=e.offer_type if e else None, offer_reason=e.offer_reason if e else None,
        next_action=e.next_action if e else None,
    )
    result.text = render(result, today)
    return result


def render(r: ExplainCallPriorityResult, today: Date) -> str:
    day = "today's" if r.date == today else f"the {r.date:%a %d %b} "
    day = day.rstrip() + " call list"
    if r.rule in ("not_eligible", "do_not_call"):
        return f"{r.name} is not on {day}: {r.reason}."
    factors = "; ".join(f"{f.detail} ({f.points:+g})" for f in r.factors) or "no reason to call yet (0 points)"
    head = (f"{r.name} is #{r.rank} on {day} (score {r.score:.1f}, {r.points:g} points)"
            if r.on_list else f"{r.name} is not on {day}: {r.reason}")
    lines = [head + ".", f"Factors: {factors}."]
    if not r.on_list and r.rule != "below_cut" and r.overall_rank is not None:
        lines.append(f"Without the list's filters {r.name} ranks #{r.overall_rank} of "
                     f"{r.overall_count:,} ({r.points:g} points).")
    if r.on_list and r.next_action:
        lines.append(f"Next: {r.next_action}")
    return " ".join(lines)
