"""The parts of the 360 view besides the timeline, each one indexed query for one customer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Float, bindparam, case, cast, func, select

from domain.customer360.results import (
    BehaviourSummary,
    FamilyEntry,
    Loyalty,
    OpportunitySummary,
    Preferences,
    TicketSummary,
)
from domain.enums import Channel, values
from domain.events import next_occurrence
from domain.models import (
    BehaviorEvent,
    ChannelConsent,
    Dropoff,
    FamilyMember,
    LoyaltyAccount,
    LoyaltyTransaction,
    Opportunity,
    Product,
    SupportTicket,
    Tag,
)

BEHAVIOUR_DAYS = 90
CART_DAYS = 30
TOP_PRODUCTS = 5
RECENT_TICKETS = 10


CID = bindparam("cid")


@cache
def statements() -> dict:
    """Built once: for a 20 ms page, building SQLAlchemy statements costs more than running them."""
    f, o, t, d, b = FamilyMember, Opportunity, SupportTicket, Dropoff, BehaviorEvent
    lt = LoyaltyTransaction
    is_open = t.status.in_(("open", "pending"))
    cart_since = bindparam("cart_since", type_=BehaviorEvent.occurred_at.type)
    since = bindparam("since", type_=BehaviorEvent.occurred_at.type)
    return {
        "consent": select(ChannelConsent.channel, ChannelConsent.opted_in).where(
            ChannelConsent.customer_id == CID
        ),
        "tags": select(Tag.tag).where(Tag.customer_id == CID).order_by(Tag.tag),
        "family": select(
            f.id,
            f.name,
            f.relationship,
            f.date_of_birth,
            f.anniversary_date,
            f.phone,
            f.email,
            f.gender,
            f.profession,
        )
        .where(f.customer_id == CID)
        .order_by(f.id),
        "loyalty": select(LoyaltyAccount.points_balance, LoyaltyAccount.tier).where(
            LoyaltyAccount.customer_id == CID
        ),
        "loyalty_recent": select(lt.id, lt.points, lt.reason, lt.order_id, lt.occurred_at)
        .where(lt.customer_id == CID)
        .order_by(lt.occurred_at.desc(), lt.id.desc())
        .limit(5),
        "opportunities": select(
            o.id,
            o.name,
            o.stage,
            cast(o.value, Float).label("value"),
            o.probability,
            o.status,
            o.expected_close,
            o.updated_at,
        )
        .where(o.customer_id == CID)
        .order_by(o.id),
        "tickets": select(
            t.id, t.subject, t.status, t.priority, t.sla_due_at, t.created_at, t.resolved_at, t.csat
        )
        .where(t.customer_id == CID)
        .order_by(case((is_open, 0), else_=1), t.created_at.desc(), t.id.desc())
        .limit(RECENT_TICKETS),
        "ticket_stats": select(
            func.sum(case((is_open, 1), else_=0)),
            func.sum(
                case(
                    ((is_open) & (t.sla_due_at < bindparam("now", type_=t.sla_due_at.type)), 1),
                    else_=0,
                )
            ),
            func.avg(t.csat),
        ).where(t.customer_id == CID),
        "dropoffs": select(
            d.id,
            d.stage,
            cast(d.cart_value, Float).label("cart_value"),
            d.product_id,
            Product.name,
            d.reason,
            d.occurred_at,
        )
        .outerjoin(Product, Product.id == d.product_id)
        .where(d.customer_id == CID, d.recovered.is_(False))
        .order_by(d.occurred_at.desc(), d.id.desc()),
        "most_viewed": select(
            b.product_id,
            Product.name,
            func.sum(b.count).label("n"),
            func.max(b.occurred_at).label("last"),
        )
        .join(Product, Product.id == b.product_id)
        .where(b.customer_id == CID, b.type == "product_view", b.occurred_at >= since)
        .group_by(b.product_id, Product.name)
        .order_by(func.sum(b.count).desc(), func.max(b.occurred_at).desc(), b.product_id)
        .limit(TOP_PRODUCTS),
        "cart_activity": select(
            func.sum(
                case(((b.type == "add_to_cart") & (b.occurred_at >= cart_since), b.count), else_=0)
            ),
            func.sum(
                case(((b.type == "wishlist") & (b.occurred_at >= cart_since), b.count), else_=0)
            ),
            func.max(case((b.type == "add_to_cart", b.occurred_at))),
        ).where(b.customer_id == CID, b.occurred_at >= since),
        "searches": select(b.query, func.sum(b.count).label("n"))
        .where(
            b.customer_id == CID, b.type == "search", b.occurred_at >= since, b.query.is_not(None)
        )
        .group_by(b.query)
        .order_by(func.sum(b.count).desc(), b.query)
        .limit(TOP_PRODUCTS),
    }


def preferences(conn, customer, business_tz: ZoneInfo) -> Preferences:
    consent: dict[str, bool | None] = {channel: None for channel in values(Channel)}
    for channel, opted_in in conn.execute(statements()["consent"], {"cid": customer.id}).all():
        consent[channel] = bool(opted_in)
    return Preferences(
        consent=consent,
        quiet_hours_start=customer.quiet_hours_start,
        quiet_hours_end=customer.quiet_hours_end,
        language=customer.language,
        preferred_channel=customer.preferred_channel,
        best_time_to_contact=customer.best_time_to_contact,
        timezone=customer.timezone or business_tz.key,
    )


def tags(conn, customer_id: int) -> list[str]:
    return list(conn.scalars(statements()["tags"], {"cid": customer_id}))


def family_rows(conn, customer_id: int) -> list:
    return conn.execute(statements()["family"], {"cid": customer_id}).all()


def family(rows: list, today: date) -> list[FamilyEntry]:
    return [
        FamilyEntry(
            id=r.id,
            name=r.name,
            relationship=r.relationship,
            date_of_birth=r.date_of_birth,
            anniversary_date=r.anniversary_date,
            next_birthday=next_occurrence(r.date_of_birth, today) if r.date_of_birth else None,
            next_anniversary=next_occurrence(r.anniversary_date, today)
            if r.anniversary_date
            else None,
            phone=r.phone,
            email=r.email,
            gender=r.gender,
            profession=r.profession,
        )
        for r in rows
    ]


def loyalty(conn, customer_id: int) -> Loyalty | None:
    account = conn.execute(statements()["loyalty"], {"cid": customer_id}).one_or_none()
    if account is None:
        return None
    recent = [
        {
            "id": r.id,
            "points": r.points,
            "reason": r.reason,
            "order_id": r.order_id,
            "occurred_at": r.occurred_at,
        }
        for r in conn.execute(statements()["loyalty_recent"], {"cid": customer_id}).all()
    ]
    return Loyalty(points_balance=account.points_balance, tier=account.tier, recent=recent)


def opportunities(conn, customer_id: int) -> OpportunitySummary:
    rows = conn.execute(statements()["opportunities"], {"cid": customer_id}).all()
    open_rows = [r for r in rows if r.status == "open"]
    won = [r for r in rows if r.status == "won"]
    lost = [r for r in rows if r.status == "lost"]
    closed = len(won) + len(lost)
    return OpportunitySummary(
        count=len(rows),
        open_count=len(open_rows),
        open_value=round(sum(r.value for r in open_rows), 2),
        weighted_open_value=round(sum(r.value * r.probability for r in open_rows), 2),
        won_count=len(won),
        lost_count=len(lost),
        win_rate=round(len(won) / closed, 3) if closed else None,
        average_deal_size=round(sum(r.value for r in won) / len(won), 2) if won else None,
        open=[
            {
                "id": r.id,
                "name": r.name,
                "stage": r.stage,
                "value": r.value,
                "probability": r.probability,
                "expected_close": r.expected_close,
                "updated_at": r.updated_at,
            }
            for r in open_rows
        ],
    )


def tickets(conn, customer_id: int, now: datetime) -> TicketSummary:
    rows = conn.execute(statements()["tickets"], {"cid": customer_id}).all()
    stats = conn.execute(statements()["ticket_stats"], {"cid": customer_id, "now": now}).one()

    def breached(r) -> bool:
        return r.status in ("open", "pending") and r.sla_due_at is not None and r.sla_due_at < now

    return TicketSummary(
        open_count=int(stats[0] or 0),
        overdue_count=int(stats[1] or 0),
        average_csat=round(float(stats[2]), 2) if stats[2] is not None else None,
        tickets=[
            {
                "id": r.id,
                "subject": r.subject,
                "status": r.status,
                "priority": r.priority,
                "sla_due_at": r.sla_due_at,
                "created_at": r.created_at,
                "resolved_at": r.resolved_at,
                "csat": r.csat,
                "sla_breached": breached(r),
            }
            for r in rows
        ],
    )


def open_dropoffs(conn, customer_id: int) -> list[dict]:
    return [
        {
            "id": r.id,
            "stage": r.stage,
            "cart_value": r.cart_value,
            "product_id": r.product_id,
            "product": r.name,
            "reason": r.reason,
            "occurred_at": r.occurred_at,
        }
        for r in conn.execute(statements()["dropoffs"], {"cid": customer_id}).all()
    ]


def behaviour_params(customer_id: int, today: date, tz: ZoneInfo) -> dict:
    """The behaviour section's windows: 90 days of browsing, 30 of carts and wishlists."""
    return {
        "cid": customer_id,
        "since": datetime.combine(today - timedelta(days=BEHAVIOUR_DAYS - 1), time(0), tz),
        "cart_since": datetime.combine(today - timedelta(days=CART_DAYS - 1), time(0), tz),
    }


def reads(customer_id: int, today: date, tz: ZoneInfo, now: datetime) -> list:
    """Every read of this module's sections for one customer, with the parameters the section
    functions pass, to send ahead in one round trip (``domain.one_trip.prefetch``)."""
    from domain.one_trip import Read

    q, cid = statements(), {"cid": customer_id}
    windows = behaviour_params(customer_id, today, tz)
    return [Read(q[name], cid) for name in ("family", "tags", "consent", "loyalty", "loyalty_recent",
                                             "opportunities", "tickets", "dropoffs")] + [
        Read(q["ticket_stats"], {"cid": customer_id, "now": now}),
        *(Read(q[name], windows) for name in ("cart_activity", "most_viewed", "searches")),
    ]


def behaviour(conn, customer_id: int, today: date, tz: ZoneInfo) -> BehaviourSummary:
    q = statements()
    params = behaviour_params(customer_id, today, tz)
    carts, wishlist, last_cart = conn.execute(q["cart_activity"], params).one()
    return BehaviourSummary(
        most_viewed=[
            {
                "product_id": r.product_id,
                "name": r.name,
                "views": int(r.n),
                "last_viewed_at": r.last,
            }
            for r in conn.execute(q["most_viewed"], params).all()
        ],
        carts_30d=int(carts or 0),
        wishlist_30d=int(wishlist or 0),
        last_cart_at=last_cart,
        top_searches=[
            {"query": r.query, "count": int(r.n)} for r in conn.execute(q["searches"], params).all()
        ],
    )
