"""``dashboard``: customer counts and the team's activity, the manager's view (read).

An extra read-only tool (CONTRACT: extra read tools are allowed).
"""
from __future__ import annotations

from datetime import date as Date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.dashboard import dashboard as build_dashboard
from domain.errors import DomainError
from tools.context import ToolContext
from tools.registry import tool
from tools.results import ToolResult


class DashboardArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Date | None = Field(None, description="First day of the activity period, YYYY-MM-DD; "
                                                 "default 6 days before until (a week).")
    until: Date | None = Field(None, description="Last day of the activity period; default today.")


class AgentActivityOut(BaseModel):
    user_id: int | None
    name: str
    contacts_logged: int
    calls_logged: int
    follow_ups_due: int
    follow_ups_overdue: int
    follow_ups_lapsed: int
    carts_recovered: int
    value_recovered: float


class DashboardResult(ToolResult):
    since: Date
    until: Date
    customers: int
    by_type: dict[str, int]
    by_lifecycle: dict[str, int]
    by_temperature: dict[str, int]
    lifetime_value_total: float
    lifetime_value_average: float
    buyers: int
    currency: str
    team: list[AgentActivityOut] = Field(default_factory=list)
    totals: AgentActivityOut | None = None


@tool("read")
def dashboard(ctx: ToolContext, session: Session, args: DashboardArgs) -> DashboardResult:
    """The dashboard: how many customers by type, lifecycle stage and temperature, lifetime value
    totals, and the team's activity over a period (default the last 7 days).

    Use it for "dashboard", "how many loyal customers?",
    "how is my team doing this week?". Per agent: contacts and calls logged, follow-ups due and
    overdue (and lapsed), carts recovered and the value recovered. Reads only.
    """
    today = ctx.clock.today()
    if args.until is not None and args.until > today:
        raise DomainError(f"until {args.until} is in the future (today is {today}); activity is "
                          "counted up to today", field="until")
    d = build_dashboard(session, today, since=args.since, until=args.until, tz=ctx.settings.tz,
                        lapse_days=ctx.settings.follow_up_lapse_days)
    result = DashboardResult(
        since=d.since, until=d.until, customers=d.customers, by_type=d.by_type,
        by_lifecycle=d.by_lifecycle, by_temperature=d.by_temperature,
        lifetime_value_total=d.lifetime_value_total, lifetime_value_average=d.lifetime_value_average,
        buyers=d.buyers, currency=ctx.settings.currency,
        team=[AgentActivityOut(**vars(a)) for a in d.team],
        totals=AgentActivityOut(**vars(d.totals)) if d.totals else None,
    )
    result.text = render(result)
    return result


def counts(mapping: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in mapping.items())


def activity_line(a: AgentActivityOut, currency: str) -> str:
    parts = [f"{a.contacts_logged:,} contacts logged ({a.calls_logged:,} calls)",
             f"{a.follow_ups_due:,} follow-ups due ({a.follow_ups_overdue:,} overdue)"]
    if a.follow_ups_lapsed:
        parts.append(f"{a.follow_ups_lapsed:,} lapsed")
    parts.append(f"{a.carts_recovered:,} carts recovered ({currency} {a.value_recovered:,.0f})")
    return f"{a.name}: " + ", ".join(parts)


def render(r: DashboardResult) -> str:
    lines = [
        f"{r.customers:,} customers — by temperature: {counts(r.by_temperature)}.",
        f"By type: {counts(r.by_type)}. By lifecycle: {counts(r.by_lifecycle)}.",
        f"Lifetime value: {r.currency} {r.lifetime_value_total:,.0f} in total, "
        f"{r.currency} {r.lifetime_value_average:,.0f} on average over {r.buyers:,} buyers.",
        f"Team activity {r.since:%a %d %b} – {r.until:%a %d %b %Y}:",
    ]
    lines += [f"  {activity_line(a, r.currency)}" for a in r.team]
    if r.totals is not None:
        lines.append(f"  {activity_line(r.totals, r.currency)}")
    return "\n".join(lines)
