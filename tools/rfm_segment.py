"""``rfm_segment``: one customer's RFM scores, a segment's members, or the distribution (read)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.enums import RfmSegment
from domain.errors import DomainError
from domain.rfm import (
    FREQUENCY_MIN,
    RECENCY_DAYS,
    RfmRow,
    parse_segment,
    rfm_distribution,
    rfm_table,
)
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult

MAX_LIMIT = 500
SEGMENTS = "Champions, Loyal Customers, Potential Loyalists, New Customers, At Risk, Lost, VIP"


class RfmSegmentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef | None = Field(
        None, description="One customer (id, name, phone or email): their R, F, M scores, segment and why.")
    segment: str | None = Field(
        None, description=f"List this segment's members, best first: one of {SEGMENTS} (any case).")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"How many segment members to list (1-{MAX_LIMIT}).")


class RfmScoresOut(BaseModel):
    customer_id: int
    name: str
    r: int
    f: int
    m: int
    score: str  # "545"
    segment: str
    reason: str  # why the segment
    why: list[str]  # why each score: "R=5: last order 12 days ago (within 30 days)"
    recency_days: int
    frequency: int  # completed orders
    monetary: float  # completed spend


class SegmentShare(BaseModel):
    segment: str
    count: int
    share: float  # of customers with a completed order


class RfmSegmentResult(ToolResult):
    mode: str  # fixed | quintile
    customer: RfmScoresOut | None = None  # the one customer asked about (None if they never bought)
    customer_name: str | None = None
    in_segment: bool | None = None  # with both customer and segment: is the customer in it?
    segment: str | None = None
    segment_count: int | None = None
    members: list[RfmScoresOut] = Field(default_factory=list)
    distribution: list[SegmentShare] = Field(default_factory=list)
    customers: int | None = None  # all customers (not erased)
    with_purchase: int | None = None
    no_purchase: int | None = None


def find_segment(text: str) -> RfmSegment:
    """A segment named in any case, singular or plural ("champion", "at risk", "loyal"); else the
    domain's error listing the seven."""
    key = " ".join(str(text).replace("_", " ").replace("-", " ").split())
    for guess in (key, key + "s", key.removesuffix("s"), key + " customers", key.removesuffix(" customers")):
        try:
            return parse_segment(guess)
        except DomainError:
            continue
    return parse_segment(text)


@tool("read")
def rfm_segment(ctx: ToolContext, session: Session, args: RfmSegmentArgs) -> RfmSegmentResult:
    """RFM (recency, frequency, monetary) analysis. Three uses:

    - with `customer`: that customer's R, F and M scores (1-5 each), the score string such as
      "545", the segment, and why ("what segment is Tanvir in?");
    - with `segment`: the members of that segment, best first (a segment named by the user, e.g. At Risk);
    - with neither: how many customers are in each segment and their share ("RFM breakdown").
    Segments: Champions, Loyal Customers, Potential Loyalists, New Customers, At Risk, Lost, VIP.
    Reads only.
    """
    settings, today = ctx.settings, ctx.clock.today()
    common = {"thresholds": settings.rfm_monetary_thresholds, "mode": settings.rfm_mode}
    segment = find_segment(args.segment) if args.segment is not None and args.segment.strip() else None
    result = RfmSegmentResult(mode=settings.rfm_mode)
    if args.customer is not None:
        customer = resolve_customer(session, args.customer, ctx.actor, settings)
        rows = rfm_table(session, today, customer_ids=[customer.id], tz=settings.tz, **common)
        result.customer_name = customer.name
        result.customer = _scores(rows[0], ctx) if rows else None
        if segment is not None:
            result.segment = segment.value
            result.in_segment = bool(rows) and rows[0].segment is segment
    elif segment is not None:
        rows = rfm_table(session, today, segment=segment, limit=args.limit, tz=settings.tz, **common)
        counts = rfm_distribution(session, today, tz=settings.tz, **common)
        result.segment = segment.value
        result.segment_count = next(s.count for s in counts.segments if s.segment is segment)
        result.with_purchase = counts.with_purchase
        result.members = [_scores(row, ctx) for row in rows]
    else:
        counts = rfm_distribution(session, today, tz=settings.tz, **common)
        result.distribution = [SegmentShare(segment=s.segment.value, count=s.count, share=s.share)
                               for s in counts.segments]
        result.customers, result.with_purchase, result.no_purchase = (
            counts.customers, counts.with_purchase, counts.no_purchase)
    result.text = render(result, settings.currency)
    return result


def _scores(row: RfmRow, ctx: ToolContext) -> RfmScoresOut:
    return RfmScoresOut(
        customer_id=row.customer_id, name=row.name, r=row.r, f=row.f, m=row.m, score=row.score,
        segment=row.segment.value, reason=row.reason, why=score_reasons(row, ctx),
        recency_days=row.recency_days, frequency=row.frequency, monetary=row.monetary,
    )


def _band(score: int, limits, *, days: bool = False, unit: str = "") -> str:
    """The fixed-mode rule behind one score: "within 30 days", "7 to 9 orders", "BDT 5,000 or more"."""
    i = 5 - score  # limits are listed for scores 5, 4, 3, 2
    if days:
        if score == 5:
            return f"within {limits[0]} days"
        return f"{limits[i - 1] + 1} to {limits[i]} days" if score > 1 else f"more than {limits[-1]} days"
    if score == 5:
        return f"{unit}{limits[0]:,g} or more"
    if score == 1:
        return f"below {unit}{limits[-1]:,g}"
    return f"{unit}{limits[i]:,g} to under {unit}{limits[i - 1]:,g}"


def _fifth(score: int) -> str:
    return {5: "top fifth", 1: "bottom fifth"}.get(score, f"fifth {score} of 5")


def score_reasons(row: RfmRow, ctx: ToolContext) -> list[str]:
    """Why each of R, F and M has its value, in the numbers the rules use."""
    currency, mode = ctx.settings.currency, ctx.settings.rfm_mode
    orders = f"{row.frequency} completed order{'s' if row.frequency != 1 else ''}"
    spent = f"{currency} {row.monetary:,.0f} spent"
    last = "last order " + {0: "today", 1: "yesterday"}.get(row.recency_days, f"{row.recency_days} days ago")
    if mode == "quintile":
        return [f"R={row.r}: {last} ({_fifth(row.r)} of buyers by recency)",
                f"F={row.f}: {orders} ({_fifth(row.f)} of buyers by orders)",
                f"M={row.m}: {spent} ({_fifth(row.m)} of buyers by spend)"]
    thresholds = ctx.settings.rfm_monetary_thresholds
    return [f"R={row.r}: {last} ({_band(row.r, RECENCY_DAYS, days=True)})",
            f"F={row.f}: {orders} ({_band(row.f, FREQUENCY_MIN)})",
            f"M={row.m}: {spent} ({_band(row.m, thresholds, unit=currency + ' ')})"]


def render(r: RfmSegmentResult, currency: str) -> str:
    if r.customer_name is not None:
        if r.customer is None:
            text = f"{r.customer_name} has no completed order yet, so no RFM scores or segment."
            if r.segment:
                text += f" Not in {r.segment}."
            return text
        c = r.customer
        text = (f"{c.name} (#{c.customer_id}): RFM {c.score}, segment {c.segment}: {c.reason}. "
                + "; ".join(c.why) + ".")
        if r.segment:
            text += f" {'In' if r.in_segment else 'Not in'} {r.segment}."
        return text
    if r.segment is not None:
        share = f" ({r.segment_count / r.with_purchase:.1%} of buyers)" if r.with_purchase else ""
        if not r.members:
            return f"{r.segment}: no customers right now."
        shown = f", best {len(r.members)} first" if r.segment_count and r.segment_count > len(r.members) else ""
        lines = [f"{r.segment}: {r.segment_count:,} customer{'s' if r.segment_count != 1 else ''}{share}{shown}:"]
        for n, c in enumerate(r.members, 1):
            lines.append(f"{n}. {c.name} (#{c.customer_id}) RFM {c.score}: {currency} {c.monetary:,.0f} over "
                         f"{c.frequency} order{'s' if c.frequency != 1 else ''}, last {c.recency_days} days ago")
        return "\n".join(lines)
    if not r.with_purchase:
        return f"No customer has a completed order yet ({r.customers} customers), so no RFM segments."
    lines = [f"RFM segments of {r.with_purchase:,} customers with a purchase ({r.mode} scoring):"]
    lines.extend(f"- {s.segment}: {s.count:,} ({s.share:.1%})" for s in r.distribution)
    lines.append(f"{r.no_purchase:,} of {r.customers:,} customers have no completed order yet.")
    return "\n".join(lines)
