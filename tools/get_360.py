"""``get_360``: everything known about one customer, redacted for the acting user's role (read)."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.clv.business import clv_for_customers, fit_from_orders
from domain.customer360 import (
    BehaviourSummary,
    Customer360Data,
    Loyalty,
    Preferences,
    TicketSummary,
    TimelineItem,
    load_customer_360,
)
from domain.customer360.timeline import MAX_TIMELINE_LIMIT, TIMELINE_TYPES
from domain.insights import Insight
from domain.metrics import CustomerMetrics
from domain.models import Customer, CustomerStats
from domain.scores import ChurnRisk, HealthScore
from tools.access import can_see_private, contact_email, contact_phone, redact_family
from tools.context import ToolContext
from tools.get_360_text import render
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult
from tools.upcoming_events import EventOut, event_out

# With no stored CLV model, a shop this small is fitted on the fly (not stored) in well under a
# second; a bigger one shows "not_fitted" rather than fitting every buyer inside a read.
ON_THE_FLY_CLV_BUYERS = 2000
TimelineType = Literal[TIMELINE_TYPES]  # type: ignore[valid-type]
_TYPE_ALIASES = {"behaviour": "behavior", "drop-off": "dropoff", "drop_off": "dropoff", "support": "ticket",
                 "support_ticket": "ticket", "call": "interaction", "message": "interaction"}


class Get360Args(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    timeline_limit: int = Field(20, ge=1, le=MAX_TIMELINE_LIMIT,
                                description=f"How many timeline items to return (1-{MAX_TIMELINE_LIMIT}), newest first.")
    timeline_types: list[TimelineType] = Field(
        default_factory=list, description="Only these kinds of timeline items; empty = all of them.")
    since: date | datetime | None = Field(
        None, description="Timeline from this date (YYYY-MM-DD) or ISO date-time, business local time.")
    until: date | datetime | None = Field(
        None, description="Timeline up to this date (the whole day included) or ISO date-time.")
    cursor: str | None = Field(None, description="The next_cursor of a previous get_360 result, for older "
                                                 "timeline items; leave out for the newest.")

    @field_validator("timeline_types", mode="before")
    @classmethod
    def _fold_types(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value
        folded = []
        for item in value:
            if not isinstance(item, str):
                folded.append(item)
                continue
            key = "_".join(item.strip().lower().split())
            key = _TYPE_ALIASES.get(key, key)
            if key not in TIMELINE_TYPES and key.endswith("s"):
                key = _TYPE_ALIASES.get(key[:-1], key[:-1])
            folded.append(key)
        return folded


class FamilyOut(BaseModel):
    id: int
    name: str
    relationship: str
    date_of_birth: date | None = None
    anniversary_date: date | None = None
    next_birthday: date | None = None
    next_anniversary: date | None = None
    phone: str | None = None  # None with phone_redacted: hidden from this user
    phone_redacted: bool = False
    email: str | None = None
    gender: str | None = None
    profession: str | None = None


class RfmOut(BaseModel):
    r: int
    f: int
    m: int
    score: str  # "545"
    segment: str
    reason: str
    recency_days: int
    frequency: int
    monetary: float


class ClvOut(BaseModel):
    method: str  # bgnbd_gamma_gamma | heuristic | no_orders | not_fitted
    probability_alive: float | None = None
    expected_purchases_90d: float | None = None
    expected_order_value: Decimal | None = None
    predicted_value_365d: Decimal | None = None
    currency: str
    model_id: int | None = None
    stored_model: bool = Field(False, description="True: from the stored fit; False: fitted for this view")
    note: str | None = None


class OpportunitiesOut(BaseModel):
    count: int
    open_count: int
    won_count: int
    lost_count: int
    win_rate: float | None
    open_value: float | None  # None when values_hidden
    weighted_open_value: float | None
    average_deal_size: float | None
    values_hidden: bool = False
    open: list[dict] = Field(default_factory=list)


class InsightOut(BaseModel):
    kind: str
    severity: str
    title: str
    detail: str
    evidence: list[dict]  # [{"table": "orders", "id": 12}]
    recommendation: str


class TimelineOut(BaseModel):
    type: str
    id: int
    occurred_at: datetime  # business local time
    title: str
    summary: str | None = None
    data: dict = Field(default_factory=dict)


class NoteOut(BaseModel):
    id: int
    text: str
    type: str
    pinned: bool
    author: str | None
    created_at: datetime  # business local time


class NotesOut(BaseModel):
    pinned: list[NoteOut] = Field(default_factory=list)
    latest: list[NoteOut] = Field(default_factory=list, description="the newest unpinned notes")
    count: int = 0


class FollowUpOut(BaseModel):
    interaction_id: int
    due_at: datetime  # business local time
    overdue: bool
    note: str | None = None
    set_by: str | None = None


class ConsentOut(BaseModel):
    channel: str
    opted_in: bool | None  # None: never asked
    since: datetime | None = None
    source: str | None = None
    reason: str | None = None
    changed_by: str | None = None


class Get360Result(ToolResult):
    profile: dict  # id, name, contact (as the role allows), demographics, status, assignment
    assigned_to: str | None
    tags: list[str]
    preferences: Preferences
    family: list[FamilyOut]
    metrics: CustomerMetrics
    rfm: RfmOut | None  # None: no completed order yet
    temperature: str
    lifecycle_stage: str
    customer_type: str
    engagement_score: float
    health: HealthScore
    churn: ChurnRisk
    clv: ClvOut
    loyalty: Loyalty | None
    opportunities: OpportunitiesOut
    tickets: TicketSummary
    open_dropoffs: list[dict]
    behaviour: BehaviourSummary
    upcoming_events: list[EventOut]
    insights: list[InsightOut]
    timeline: list[TimelineOut]
    next_cursor: str | None = Field(None, description="pass as cursor for older timeline items; None: no more")
    currency: str
    as_of: date
    redacted: list[str] = Field(default_factory=list, description="what was hidden from this user, and why")
    notes: NotesOut = Field(default_factory=NotesOut, description="pinned notes and the latest, with authors")
    open_follow_ups: list[FollowUpOut] = Field(default_factory=list)
    consent: list[ConsentOut] = Field(default_factory=list, description="per channel: decision, since, why")


@tool("read")
def get_360(ctx: ToolContext, session: Session, args: Get360Args) -> Get360Result:
    """Show everything about one customer: profile, contact preferences and consent, family with
    birthdays, metrics (lifetime value, orders, average order value, days since last order,
    frequency, tenure), RFM scores and segment, temperature and lifecycle stage, health score with
    its factors, churn risk with drivers, CLV (probability alive, purchases expected in 90 days,
    value over a year), loyalty, opportunities, support tickets, open drop-offs (carts), browsing
    behaviour, upcoming birthdays/anniversaries, insights with the records behind them, and the
    timeline newest first.

    Use it to look a customer up by name, phone or email, before a call, or to answer any
    question about one customer. Filter the timeline with timeline_types, since and until; page
    back with cursor = the previous next_cursor. Opportunity values and family phone numbers are
    hidden unless the user is a manager or the customer's assigned agent. Reads only.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    today = ctx.clock.today()
    data = load_customer_360(
        session, customer.id, today, timeline_limit=args.timeline_limit, timeline_types=args.timeline_types or None,
        since=args.since, until=args.until, cursor=args.cursor, now=ctx.clock.now(), settings=ctx.settings,
    )
    result = build_result(ctx, session, customer, data)
    focused = bool(args.timeline_types or args.since or args.until or args.cursor or args.timeline_limit != 20)
    result.text = render(result, full_timeline=focused)
    return result


def build_result(ctx: ToolContext, session: Session, customer: Customer, data: Customer360Data) -> Get360Result:
    """The tool's view of the domain's 360 data, with what this user may not see taken out."""
    actor, settings, tz = ctx.actor, ctx.settings, ctx.settings.tz
    private = can_see_private(actor, customer)
    redacted = []
    profile = dict(data.profile)
    profile["phone"] = contact_phone(actor, customer.assigned_to_id, profile.get("phone"), settings)
    profile["email"] = contact_email(actor, customer.assigned_to_id, profile.get("email"), settings)
    if profile["phone"] != data.profile.get("phone") or profile["email"] != data.profile.get("email"):
        redacted.append("the customer's phone and email are masked: they are assigned to another agent")
    scores = data.scores
    # the view shows the scores as of today; the stored columns may lag until the nightly refresh
    profile.update(temperature=scores.temperature.value, lifecycle_stage=scores.lifecycle_stage.value,
                   customer_type=scores.customer_type.value, assigned_to=data.assigned_to_name)
    family = [FamilyOut(**row) for row in redact_family(actor, customer, (m.model_dump() for m in data.family))]
    if any(m.phone_redacted for m in family):
        redacted.append("family members' phone numbers: only managers and the assigned agent see them")
    opportunities = _opportunities(data, private)
    if opportunities.values_hidden:
        redacted.append("opportunity values: only managers and the assigned agent see them")
    rfm = scores.rfm
    return Get360Result(
        profile=profile, assigned_to=data.assigned_to_name, tags=data.tags, preferences=data.preferences,
        family=family, metrics=scores.metrics,
        rfm=RfmOut(r=rfm.r, f=rfm.f, m=rfm.m, score=rfm.score, segment=rfm.segment.value, reason=rfm.reason,
                   recency_days=rfm.recency_days, frequency=rfm.frequency, monetary=rfm.monetary) if rfm else None,
        temperature=scores.temperature.value, lifecycle_stage=scores.lifecycle_stage.value,
        customer_type=scores.customer_type.value, engagement_score=scores.engagement_score,
        health=scores.health, churn=scores.churn, clv=_clv(ctx, session, data),
        loyalty=data.loyalty, opportunities=opportunities, tickets=data.tickets,
        open_dropoffs=[{**d, "customer_id": customer.id, "occurred_at": d["occurred_at"].astimezone(tz)}
                       for d in data.open_dropoffs],
        behaviour=data.behaviour, upcoming_events=[event_out(e) for e in data.upcoming_events],
        insights=[_insight(i, private, data.currency) for i in data.insights],
        timeline=[_timeline_item(item, tz) for item in data.timeline.items],
        next_cursor=data.timeline.next_cursor, currency=data.currency, as_of=data.as_of, redacted=redacted,
        **_working_sections(data, tz),
    )


def _working_sections(data: Customer360Data, tz) -> dict[str, Any]:
    """Notes, open follow-ups and consent per channel, times in the business zone."""
    local = lambda moment: moment.astimezone(tz) if moment is not None else None  # noqa: E731

    def note(n) -> NoteOut:
        return NoteOut(id=n.id, text=n.text, type=n.type, pinned=n.pinned, author=n.author,
                       created_at=local(n.created_at))

    return {
        "notes": NotesOut(pinned=[note(n) for n in data.notes.pinned], latest=[note(n) for n in data.notes.latest],
                          count=data.notes.count),
        "open_follow_ups": [FollowUpOut(interaction_id=f.interaction_id, due_at=local(f.due_at), overdue=f.overdue,
                                        note=f.note, set_by=f.set_by) for f in data.open_follow_ups],
        "consent": [ConsentOut(channel=c.channel, opted_in=c.opted_in, since=local(c.since), source=c.source,
                               reason=c.reason, changed_by=c.changed_by) for c in data.consent],
    }


def _opportunities(data: Customer360Data, private: bool) -> OpportunitiesOut:
    o = data.opportunities
    hide = not private and o.count > 0
    return OpportunitiesOut(
        count=o.count, open_count=o.open_count, won_count=o.won_count, lost_count=o.lost_count, win_rate=o.win_rate,
        open_value=None if hide else o.open_value, weighted_open_value=None if hide else o.weighted_open_value,
        average_deal_size=None if hide else o.average_deal_size, values_hidden=hide,
        open=[{**deal, "value": None} if hide else deal for deal in o.open],
    )


def _insight(insight: Insight, private: bool, currency: str) -> InsightOut:
    detail = insight.detail
    if insight.kind == "stale_opportunity" and not private:  # "2 open deals worth BDT 160,000; ..."
        detail = re.sub(rf" worth {re.escape(currency)} [\d,.]+", " (value hidden)", detail)
    return InsightOut(kind=insight.kind, severity=insight.severity, title=insight.title, detail=detail,
                      evidence=insight.evidence, recommendation=insight.recommendation)


def _timeline_item(item: TimelineItem, tz) -> TimelineOut:
    return TimelineOut(type=item.type, id=item.id, occurred_at=item.occurred_at.astimezone(tz), title=item.title,
                       summary=item.summary, data=item.data)


def _clv(ctx: ToolContext, session: Session, data: Customer360Data) -> ClvOut:
    """The stored fit's prediction; with none stored, a fit made for this view on a small shop only."""
    currency = ctx.settings.currency
    found, stored, note = data.clv, True, None
    if found is None:
        # "more buyers than the limit?" reads at most limit + 1 rows, where a count would read them all
        past_limit = session.scalar(select(CustomerStats.customer_id).where(CustomerStats.order_count > 0)
                                    .offset(ON_THE_FLY_CLV_BUYERS).limit(1))
        if past_limit is not None:
            return ClvOut(method="not_fitted", currency=currency,
                          note="no CLV model has been fitted yet; run `c360 clv fit` to predict lifetime value")
        model = fit_from_orders(session, data.as_of, tz=ctx.settings.tz, currency=currency, store=False)
        [found] = clv_for_customers(session, data.as_of, [data.customer_id], tz=ctx.settings.tz, model=model)
        stored = False
        note = "no stored CLV model: fitted for this view from the shop's orders (`c360 clv fit` stores one)"
        if model.note:
            note += f"; {model.note}"
    return ClvOut(method=found.method, probability_alive=found.probability_alive,
                  expected_purchases_90d=found.expected_purchases_90d, expected_order_value=found.expected_order_value,
                  predicted_value_365d=found.predicted_value_365d, currency=found.currency, model_id=found.model_id,
                  stored_model=stored, note=note)
