"""``call_priority_list``: who to call on a day, best first, each with why, what to offer and when (read)."""
from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.call_priority import CallPriorityEntry, call_priority
from domain.call_priority.ranking import MAX_LIMIT
from domain.consent import CHANNEL_ORDER
from domain.consent_changes import offer_withheld, opted_out_channels
from domain.enums import LifecycleStage, Temperature, values
from domain.errors import DomainError
from tools.access import contact_email, contact_phone
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import fold_enum
from tools.results import ToolResult
from tools.upcoming_events import EventOut, event_out

_STAGE_ALIASES = {"first_time_buyer": "first_buyer", "repeat": "repeat_buyer", "repeat_customer": "repeat_buyer",
                  "new": "lead", "leads": "lead", "prospects": "prospect", "loyal_customer": "loyal"}


def _enum_value(value: Any, enum, field: str, aliases: dict[str, str] | None = None) -> Any:
    """Fold "Hot " or "First Buyer" to the enum value; anything else is refused, listing the choices."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    folded = fold_enum(value)
    folded = (aliases or {}).get(folded, folded)
    if folded not in values(enum):
        raise ValueError(f"unknown {field} {value!r}: use one of {', '.join(values(enum))}")
    return folded


def _city_value(value: Any) -> Any:
    """A city's name, trimmed; blank means no city filter."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"city must be a city's name, got {value!r}")
    return " ".join(value.split())


class CallPriorityListArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Date | None = Field(None, description="The day to plan calls for, YYYY-MM-DD; default today. "
                                                "Not in the past.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description=f"How many customers to list (1-{MAX_LIMIT}).")
    temperature: Temperature | None = Field(None, description="Only customers this warm: hot, warm or cold.")
    lifecycle_stage: LifecycleStage | None = Field(
        None, description="Only customers at this stage: lead, prospect, first_buyer, repeat_buyer, loyal, inactive.")
    assigned_to_me: bool = Field(False, description="Only the customers assigned to the acting user.")
    city: str | None = Field(None, description="Only customers in this city (for example Dhaka or Chattogram).")
    open_dropoffs: bool = Field(False, description="Only customers with an open cart or failed checkout.")

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


class FactorOut(BaseModel):
    name: str  # follow_up | event | temperature | dropoff | at_risk
    points: float
    detail: str


class ProductOut(BaseModel):
    id: int
    name: str
    price: Decimal
    reason: str


class BestTimeOut(BaseModel):
    window: str  # "HH:MM-HH:MM" in the customer's time zone
    timezone: str
    source: str  # learned | stated | default
    detail: str


class CallEntry(BaseModel):
    rank: int
    customer_id: int
    name: str
    score: float = Field(description="1-10, higher = call sooner")
    temperature: str
    lifecycle_stage: str
    reasons: list[str]
    factors: list[FactorOut]
    offer_type: str  # birthday_offer, anniversary_offer, cart_recovery, reactivation, discount, cross_sell, upsell,
    # or none: opted out of every channel an offer could go on (the call is still worth making)
    offer_reason: str
    opted_out_channels: list[str] = Field(default_factory=list, description="never offer or send on these")
    recommended_products: list[ProductOut]
    best_call_time: BestTimeOut
    next_action: str
    events: list[EventOut]
    open_dropoffs: list[dict]
    lifetime_value: float
    order_count: int
    days_since_last_order: int | None
    rfm: str | None  # "545"; None before the first order
    phone: str | None  # masked when the user may not act on the customer
    email: str | None
    assigned_to: str | None


class CallPriorityListResult(ToolResult):
    date: Date
    filters: dict[str, Any]
    entries: list[CallEntry] = Field(default_factory=list)


@tool("read")
def call_priority_list(ctx: ToolContext, session: Session, args: CallPriorityListArgs) -> CallPriorityListResult:
    """The ranked list of customers to call on a day (default today), best first.

    Use it for "who should I call today?", a day's hot leads, or the call list. Each entry
    has the rank, a 1-10 score, temperature, the reasons in words and numbers (follow-up due,
    own or family birthday/anniversary and whose, hot lead, abandoned cart, valuable customer
    gone quiet), the offer type, recommended products, the best time to call, the next action,
    and contact details as the user's role allows. Filters: its arguments. Reads only.
    """
    today = ctx.clock.today()
    day = args.date or today
    if day < today:
        raise DomainError(f"date {day.isoformat()} is in the past: a call list is for today "
                          f"({today.isoformat()}) or a later day", field="date")
    filters = {k: v for k, v in (("temperature", args.temperature), ("lifecycle_stage", args.lifecycle_stage),
                                 ("city", args.city), ("assigned_to_me", args.assigned_to_me or None),
                                 ("open_dropoffs", args.open_dropoffs or None))
               if v is not None}
    entries = call_priority(
        session, day, limit=args.limit,
        temperature=args.temperature.value if args.temperature else None,
        lifecycle_stage=args.lifecycle_stage.value if args.lifecycle_stage else None,
        assigned_to_id=ctx.actor.id if args.assigned_to_me else None, city=args.city,
        open_dropoffs=args.open_dropoffs,
        # on today, best times already past move to tomorrow; a later day starts at its midnight
        now=ctx.clock.now() if day == today else None, settings=ctx.settings,
    )
    opted_out = opted_out_channels(session, [e.customer_id for e in entries])
    result = CallPriorityListResult(date=day, filters={k: str(v) for k, v in filters.items()},
                                    entries=[_without_offer_when_opted_out(_entry(ctx, e), e, opted_out)
                                             for e in entries])
    result.text = render(result, today)
    return result


def _entry(ctx: ToolContext, e: CallPriorityEntry) -> CallEntry:
    tz = ctx.settings.tz
    return CallEntry(
        rank=e.rank, customer_id=e.customer_id, name=e.name, score=e.score, temperature=e.temperature,
        lifecycle_stage=e.lifecycle_stage, reasons=e.reasons,
        factors=[FactorOut(name=f.name, points=f.points, detail=f.detail) for f in e.factors],
        offer_type=e.offer_type, offer_reason=e.offer_reason,
        recommended_products=[ProductOut(id=p.product_id, name=p.name, price=p.price, reason=p.reason)
                              for p in e.recommended_products],
        best_call_time=BestTimeOut(window=e.best_call_time.window, timezone=e.best_call_time.timezone,
                                   source=e.best_call_time.source, detail=e.best_call_time.detail),
        next_action=e.next_action, events=[event_out(ev) for ev in e.events],
        open_dropoffs=[{"id": d.id, "customer_id": e.customer_id, "stage": d.stage, "cart_value": float(d.cart_value),
                        "product": d.product_name, "occurred_at": d.occurred_at.astimezone(tz)}
                       for d in e.open_dropoffs],
        lifetime_value=e.lifetime_value, order_count=e.order_count, days_since_last_order=e.days_since_last_order,
        rfm="".join(map(str, e.rfm)) if e.rfm else None,
        phone=contact_phone(ctx.actor, e.assigned_to_id, e.phone, ctx.settings),
        email=contact_email(ctx.actor, e.assigned_to_id, e.email, ctx.settings),
        assigned_to=e.assigned_to_name,
    )


def _without_offer_when_opted_out(entry: CallEntry, e: CallPriorityEntry,
                                  opted_out: dict[int, set[str]]) -> CallEntry:
    """Opt-outs apply at once: listed on the entry, and no offer when no channel is left for one."""
    channels = opted_out.get(e.customer_id, set())
    entry.opted_out_channels = [c for c in CHANNEL_ORDER if c in channels]
    if offer_withheld(e.phone, e.email, channels):
        entry.offer_type = "none"
        entry.offer_reason = f"opted out of {', '.join(entry.opted_out_channels)}: no offer"
        entry.recommended_products = []
        entry.next_action = (f"Call {e.name.split()[0]} only about what is open (no offer: "
                             f"opted out of marketing on {', '.join(entry.opted_out_channels)}).")
    return entry


def render(result: CallPriorityListResult, today: Date) -> str:
    """A numbered list: name, score, temperature, reasons, offer, products, best time, next action, phone."""
    day = "today" if result.date == today else f"{result.date:%a %d %b %Y}"
    where = "".join(", your customers only" if k == "assigned_to_me" else f", in {v}" if k == "city"
                    else ", open drop-offs only" if k == "open_dropoffs"
                    else f", {k.replace('_', ' ')} {v}" for k, v in result.filters.items())
    if not result.entries:
        return f"No customers to call {day}{where}: nobody active matches these filters."
    lines = [f"Call list for {day}{where} ({len(result.entries)} customer{'s' if len(result.entries) > 1 else ''}):"]
    for e in result.entries:
        why = "; ".join(e.reasons) or "no pressing reason: a routine check-in"
        offer = e.offer_type.replace("_", " ") if e.offer_type != "none" else f"none ({e.offer_reason})"
        products = ", ".join(p.name for p in e.recommended_products)
        line = (f"{e.rank}. {e.name} (score {e.score:.1f}, {e.temperature}) — {why}. Offer: {offer}"
                + (f" ({products})" if products else "") + f". Best time {e.best_call_time.window}. "
                f"Next: {e.next_action}")
        contact = e.phone or e.email
        if contact:
            line += f" Phone {e.phone}." if e.phone else f" Email {e.email}."
        lines.append(line)
    return "\n".join(lines)
