"""What the call list says: reasons in words and numbers, the offer type and the next action.

Offer type, first rule that matches:
  service_call    a complaint within the negative-outcome window, not yet resolved: make it right,
                  sell nothing
  birthday_offer / anniversary_offer  an own or family event within the week (the nearest decides)
  cart_recovery   an open drop-off past browsing (cart, checkout, failed payment) within 30 days
  reactivation    bought before, but not for more than 90 days (R <= 2), or lifecycle inactive
  discount        never bought (a first-purchase incentive)
  cross_sell      1-3 completed orders: introduce another category
  upsell          4+ orders and still buying: a better item in the categories they buy
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.call_priority.details import BestCallTime, FollowUp, OpenDropoff, RecommendedProduct
from domain.events import UpcomingEvent

CART_STAGES = ("add_to_cart", "checkout_initiated", "payment_failed")
CART_RECOVERY_DAYS = 30


@dataclass(frozen=True)
class Factor:
    name: str  # follow_up | lapsed_follow_up | event | temperature | dropoff | at_risk |
    # not_interested | complaint (the last two are negative points)
    points: float
    detail: str


def money(value: float | Decimal, currency: str) -> str:
    return f"{currency} {float(value):,.0f}"


def days_ago(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


@dataclass
class Context:
    today: date
    tz: ZoneInfo
    currency: str
    person: dict
    events: list[UpcomingEvent]
    follow_up: FollowUp | None
    follow_overdue: float
    dropoffs: list[OpenDropoff]
    since_dropoff: float
    open_count: int
    open_value: float
    spent: float
    orders: int
    since_order: int | None
    rfm: tuple[int, int, int]
    since_not_interested: float = float("nan")
    since_complaint: float = float("nan")
    complaint_open: bool = False

    @property
    def first_name(self) -> str:
        parts = (self.person["name"] or "").split()
        return parts[0] if parts else "the customer"


def detail(name: str, ctx: Context) -> str:
    if name == "follow_up":
        overdue = int(ctx.follow_overdue)
        when = (
            "due today" if overdue == 0 else f"overdue by {overdue} day{'s' if overdue > 1 else ''}"
        )
        if ctx.follow_up is None:
            return f"follow-up {when}"
        due = ctx.follow_up.due_at
        set_on = ctx.follow_up.set_at.date().isoformat()
        due_text = "" if overdue == 0 else f", due {due.date().isoformat()}"
        about = _follow_up_about(ctx.follow_up)
        return f"follow-up {when} (set {set_on}{due_text}){about}"
    if name == "lapsed_follow_up":
        overdue = int(ctx.follow_overdue)
        text = f"lapsed follow-up: due {overdue} days ago and never answered"
        if ctx.follow_up is not None:
            due = ctx.follow_up.due_at.astimezone(ctx.tz).date().isoformat()
            about = _follow_up_about(ctx.follow_up)
            text += f" (due {due}{about})"
        return text
    if name == "not_interested":
        return f"said not interested {days_ago(int(ctx.since_not_interested))}: go gently"
    if name == "complaint":
        return f"complaint {days_ago(int(ctx.since_complaint))}, not resolved yet"
    if name == "event":
        return "; ".join(e.phrase() for e in ctx.events[:3])
    if name == "temperature":
        return f"{ctx.person['temperature']} customer"
    if name == "dropoff":
        latest = (
            _dropoff_text(ctx.dropoffs[0], ctx)
            if ctx.dropoffs
            else (f"last drop-off {days_ago(int(ctx.since_dropoff))}")
        )
        if ctx.open_count > 1:
            worth = money(ctx.open_value, ctx.currency)
            return f"{ctx.open_count} open drop-offs worth {worth}; latest: {latest}"
        return latest
    if name == "at_risk":
        r, f, m = ctx.rfm
        return (
            f"At Risk (RFM {r}{f}{m}): {money(ctx.spent, ctx.currency)} over {ctx.orders} orders, "
            f"last order {days_ago(ctx.since_order or 0)}"
        )
    raise ValueError(name)


def _follow_up_about(follow_up: FollowUp) -> str:
    text = follow_up.note or follow_up.subject
    return f": {text}" if text else ""


def _dropoff_text(d: OpenDropoff, ctx: Context) -> str:
    ago = days_ago(max(0, (ctx.today - d.occurred_at.astimezone(ctx.tz).date()).days))
    what = f" ({d.product_name})" if d.product_name else ""
    value = money(d.cart_value, ctx.currency)
    if d.stage == "add_to_cart":
        return f"cart of {value}{what} abandoned {ago}"
    if d.stage == "checkout_initiated":
        return f"checkout of {value}{what} left unfinished {ago}"
    if d.stage == "payment_failed":
        return f"payment of {value}{what} failed {ago}"
    return f"viewed {d.product_name or 'a product'} and left without buying {ago}"


def offer_for(ctx: Context) -> tuple[str, str]:
    if ctx.complaint_open:
        return (
            "service_call",
            f"complaint {days_ago(int(ctx.since_complaint))}: make it right, no sales offer",
        )
    if ctx.events:
        e = ctx.events[0]
        return f"{e.kind}_offer", e.phrase()
    carts = [d for d in ctx.dropoffs if d.stage in CART_STAGES]
    if carts and ctx.since_dropoff <= CART_RECOVERY_DAYS:
        stage = carts[0].stage.replace("_", " ")
        return "cart_recovery", f"open {stage} worth {money(carts[0].cart_value, ctx.currency)}"
    if ctx.person["lifecycle_stage"] == "inactive" or (
        ctx.since_order is not None and ctx.rfm[0] <= 2
    ):
        last = (
            f"last order {days_ago(ctx.since_order)}" if ctx.since_order is not None else "inactive"
        )
        return "reactivation", last
    if ctx.orders == 0:
        return "discount", "has not bought yet: a first-purchase incentive"
    if ctx.orders <= 3:
        return (
            "cross_sell",
            f"{ctx.orders} order{'s' if ctx.orders > 1 else ''} so far: introduce another category",
        )
    return "upsell", f"{ctx.orders} orders, still buying: offer a better item in their categories"


OFFER_WORDS = {
    "service_call": "no offer: put the complaint right first",
    "birthday_offer": "a birthday offer",
    "anniversary_offer": "an anniversary offer",
    "cart_recovery": "help to finish the purchase",
    "reactivation": "a welcome-back offer",
    "discount": "a first-purchase discount",
    "cross_sell": "something from a new category",
    "upsell": "an upgrade",
}


def next_action(
    ctx: Context,
    factors: list[Factor],
    offer: str,
    products: list[RecommendedProduct],
    best: BestCallTime,
    now: datetime,
) -> str:
    end = best.window[6:]
    local_now = now.astimezone(ctx.tz)
    later_today = (
        local_now.date() < ctx.today or local_now.strftime("%H:%M") < end or end == "00:00"
    )
    when = f"{best.window}{'' if later_today else ' tomorrow'}"
    top = factors[0].name if factors else None
    if offer == "service_call":
        lead = "ask how the complaint stands and put it right"
    elif top in ("follow_up", "lapsed_follow_up") and ctx.follow_up is not None:
        set_on = ctx.follow_up.set_at.astimezone(ctx.tz).date().isoformat()
        if ctx.follow_up.type:
            what = ctx.follow_up.type.replace("_", " ")
            lead = f"follow up on the {what} of {set_on}"
        else:
            lead = f"make the follow-up planned on {set_on}" + _follow_up_about(ctx.follow_up)
        if top == "lapsed_follow_up":
            lead = "it lapsed long ago: " + lead
    elif top == "follow_up":
        lead = "make the scheduled follow-up"
    elif top == "event":
        e = ctx.events[0]
        if e.is_self:
            lead = f"wish {ctx.first_name} a happy {e.kind}"
        else:
            lead = f"mention {e.phrase()}"
    elif top == "dropoff":
        lead = "help finish the open order"
    elif top == "temperature":
        lead = "they are keen: move to a purchase"
    elif top == "at_risk":
        lead = "win back a valuable customer"
    else:
        lead = "check in"
    item = f" on {products[0].name}" if products else ""
    if offer == "service_call":
        return f"Call {ctx.first_name} {when}: {lead}; {OFFER_WORDS[offer]}."
    return f"Call {ctx.first_name} {when}: {lead}; offer {OFFER_WORDS[offer]}{item}."
