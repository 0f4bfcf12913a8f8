"""What a reply draft needs to know about one customer, read in a handful of queries (no writes)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.consent import ContactFacts
from domain.events import UpcomingEvent, upcoming_events
from domain.models import (
    BehaviorEvent, ChannelConsent, Customer, Dropoff, FamilyMember, Interaction, KnowledgeSnippet, LoyaltyAccount,
    Order, OrderItem, Product,
)

NAME_PREFIXES = frozenset({"md", "md.", "mohd", "mohd.", "mst", "mst.", "mr", "mr.", "mrs", "mrs.", "ms",
                           "ms.", "dr", "dr."})
PRODUCT_MENTION_MIN = 90  # rapidfuzz partial_ratio of a catalogue name inside the message
EVENT_DAYS_BEFORE, EVENT_DAYS_AFTER = 7, 14  # a birthday this close counts as "the" birthday of a draft
CART_STAGES = ("add_to_cart", "checkout_initiated")


@dataclass(frozen=True)
class Person:
    """Someone a family-event draft is about: the customer or one of their family."""

    name: str
    first_name: str
    relationship: str  # self, spouse, child, parent, sibling, grandparent, other
    gender: str | None
    date_of_birth: date | None
    anniversary_date: date | None

    @property
    def is_self(self) -> bool:
        return self.relationship == "self"


@dataclass(frozen=True)
class Offer:
    """A current offer, from a knowledge snippet tagged ``offer`` (its other tags: occasion, audience)."""

    row_id: int
    title: str
    text: str
    tags: frozenset[str]
    language: str = "en"


@dataclass(frozen=True)
class ProductFacts:
    name: str
    price: Decimal | None


@dataclass(frozen=True)
class CustomerFacts:
    """Facts a template may use, plus the contact facts the consent rules read."""

    customer_id: int
    full_name: str
    first_name: str
    gender: str | None
    language: str | None
    mentioned_product: ProductFacts | None  # named in the incoming message
    dropoff_product: ProductFacts | None  # of the latest open drop-off
    cart_value: Decimal | None
    order_ref: str | None  # "1042" (external id when set)
    order_date: date | None
    order_product: ProductFacts | None
    viewed_product: ProductFacts | None  # most viewed in the last 30 days
    points: int | None
    tier: str | None
    contact: ContactFacts
    dropoff_stage: str | None = None  # of the latest open drop-off
    mention_in_orders: bool = False  # mentioned_product is one the customer bought (order_ref: that order)
    order_status: str | None = None  # of order_ref: pending or completed
    completed_order: bool = False  # at least one completed order
    people: tuple[Person, ...] = ()  # the customer first, then the family on record
    events: tuple[UpcomingEvent, ...] = ()  # birthdays and anniversaries near today, nearest first
    offers: tuple[Offer, ...] = ()
    today: date | None = None

    @property
    def has_cart(self) -> bool:
        return self.dropoff_stage in CART_STAGES

    @property
    def has_failed_payment(self) -> bool:
        return self.dropoff_stage == "payment_failed"


def first_name(full_name: str) -> str:
    """The given name: "Md. Rahim Uddin" -> "Rahim" (Bangladeshi name prefixes skipped)."""
    parts = full_name.split()
    for part in parts:
        if part.lower() not in NAME_PREFIXES:
            return part
    return parts[0] if parts else full_name


def customer_zone(customer: Customer, business_tz: ZoneInfo) -> ZoneInfo:
    """The customer's own time zone when set and valid, else the business's."""
    if customer.timezone:
        try:
            return ZoneInfo(customer.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return business_tz
    return business_tz


def mentioned_product(session: Session, message: str | None) -> ProductFacts | None:
    """The catalogue product the message names (the longest name that appears in it), if any."""
    if not message or not message.strip():
        return None
    rows = session.execute(select(Product.name, Product.price).where(Product.is_active.is_(True))).all()
    if not rows:
        return None
    names = [r.name for r in rows]
    found = process.extract(message.lower(), [n.lower() for n in names], scorer=fuzz.partial_ratio,
                            score_cutoff=PRODUCT_MENTION_MIN, limit=5)
    if not found:  # "the air fryer" for "Air Fryer 4L": the telling words of one name
        named = own_mention(message, names)
        return next((ProductFacts(r.name, r.price) for r in rows if r.name == named), None) if named else None
    # The longest matching name wins: "Blue Kettle Pro" over "Kettle" when the message says the former.
    _, _, index = max(found, key=lambda m: (m[1], len(names[m[2]])))
    return ProductFacts(rows[index].name, rows[index].price)


_WORD = re.compile(r"[^\W\d_]{4,}")
_PLAIN_WORDS = frozenset({"with", "pack", "premium", "series", "smart", "electric", "set", "pcs", "size", "new",
                          "blue", "black", "white", "green", "large", "small", "mini", "classic", "style"})


def own_mention(message: str | None, names: list[str]) -> str | None:
    """Which of the customer's own products the message speaks of ("the kettle" -> "Blue Kettle"):
    the name with the most of its telling words in the message; None when none or a tie."""
    if not message:
        return None
    said = {w.rstrip("s") for w in _WORD.findall(message.lower())}
    scored = []
    for name in dict.fromkeys(names):
        words = [w.rstrip("s") for w in _WORD.findall(name.lower()) if w not in _PLAIN_WORDS]
        hits = sum(1 for w in words if w in said)
        if hits:
            scored.append((hits, -len(words), name))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][:2] == scored[1][:2]):
        return None
    return scored[0][2]


def gather(session: Session, customer: Customer, now: datetime, business_tz: ZoneInfo,
           incoming_message: str | None = None, topic: str | None = None) -> CustomerFacts:
    """Everything a draft for ``customer`` may use, as of ``now``. Reads only."""
    cid = customer.id
    consents = {c.channel: bool(c.opted_in)
                for c in session.scalars(select(ChannelConsent).where(ChannelConsent.customer_id == cid))}
    last_wa_inbound = session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.customer_id == cid, Interaction.type == "whatsapp",
            Interaction.direction == "inbound", Interaction.occurred_at <= now))
    social = frozenset(session.scalars(select(Interaction.type).distinct().where(
        Interaction.customer_id == cid, Interaction.type.in_(("instagram", "facebook")))))
    dropoff = session.execute(
        select(Dropoff.cart_value, Dropoff.stage, Product.name, Product.price)
        .outerjoin(Product, Product.id == Dropoff.product_id)
        .where(Dropoff.customer_id == cid, Dropoff.recovered.is_(False))
        .order_by(Dropoff.occurred_at.desc(), Dropoff.id.desc()).limit(1)).first()
    # A pending order is the one a customer asks about; else the latest that was not cancelled.
    order = session.execute(
        select(Order.id, Order.external_id, Order.ordered_at, Order.status).where(
            Order.customer_id == cid, Order.status.in_(("pending", "completed")), Order.ordered_at <= now)
        .order_by((Order.status == "pending").desc(), Order.ordered_at.desc(), Order.id.desc()).limit(1)).first()
    # a message about one of the customer's own products: that product, and the order it came in
    own = [r for r in session.execute(
        select(OrderItem.product_name, Order.id).join(Order, Order.id == OrderItem.order_id)
        .where(Order.customer_id == cid, Order.status.in_(("pending", "completed")), Order.ordered_at <= now)
        .order_by(Order.ordered_at.desc())).all()]
    spoken = own_mention(incoming_message, [r.product_name for r in own]) or own_mention(
        topic, [r.product_name for r in own])
    if spoken:
        order_id = next(r.id for r in own if r.product_name == spoken)
        order = session.execute(select(Order.id, Order.external_id, Order.ordered_at, Order.status)
                                .where(Order.id == order_id)).first()
    order_item = None
    if order is not None and spoken:
        order_item = session.execute(
            select(OrderItem.product_name, OrderItem.unit_price)
            .where(OrderItem.order_id == order.id, OrderItem.product_name == spoken).limit(1)).first()
    elif order is not None:
        order_item = session.execute(
            select(OrderItem.product_name, OrderItem.unit_price).where(OrderItem.order_id == order.id)
            .order_by(OrderItem.unit_price.desc(), OrderItem.id).limit(1)).first()
    viewed = session.execute(
        select(Product.name, Product.price).join(BehaviorEvent, BehaviorEvent.product_id == Product.id)
        .where(BehaviorEvent.customer_id == cid, BehaviorEvent.occurred_at <= now,
               BehaviorEvent.occurred_at > now - timedelta(days=30))
        .group_by(Product.id, Product.name, Product.price)
        .order_by(func.sum(BehaviorEvent.count).desc(), Product.name).limit(1)).first()
    loyalty = session.get(LoyaltyAccount, cid)
    completed = session.scalar(select(func.count()).select_from(Order).where(
        Order.customer_id == cid, Order.status == "completed", Order.ordered_at <= now)) or 0
    today = now.astimezone(business_tz).date()
    family = session.scalars(select(FamilyMember).where(FamilyMember.customer_id == cid)
                             .order_by(FamilyMember.id)).all()
    people = (Person(customer.name, first_name(customer.name), "self", (customer.gender or "").lower() or None,
                     customer.date_of_birth, customer.anniversary_date),
              *(Person(f.name, first_name(f.name), f.relationship, (f.gender or "").lower() or None,
                       f.date_of_birth, f.anniversary_date) for f in family))
    events = upcoming_events(session, today - timedelta(days=EVENT_DAYS_BEFORE),
                             EVENT_DAYS_BEFORE + EVENT_DAYS_AFTER, [cid])
    events = sorted(events, key=lambda e: (abs((e.event_date - today).days), e.event_date < today,
                                           e.family_member_id or 0))
    contact = ContactFacts(
        phone=customer.phone, email=customer.email, consents=consents,
        timezone=customer_zone(customer, business_tz), quiet_start=customer.quiet_hours_start,
        quiet_end=customer.quiet_hours_end, last_whatsapp_inbound_at=last_wa_inbound,
        social_channels_seen=social, preferred_channel=customer.preferred_channel,
        erased=customer.status == "erased",
    )
    return CustomerFacts(
        customer_id=cid, full_name=customer.name, first_name=first_name(customer.name),
        gender=(customer.gender or "").lower() or None, language=customer.language,
        mentioned_product=(ProductFacts(order_item.product_name, order_item.unit_price) if spoken and order_item
                           else mentioned_product(session, incoming_message) or mentioned_product(session, topic)),
        dropoff_product=ProductFacts(dropoff.name, dropoff.price) if dropoff and dropoff.name else None,
        dropoff_stage=dropoff.stage if dropoff else None, mention_in_orders=bool(spoken and order_item),
        order_status=order.status if order else None, completed_order=completed > 0,
        people=people, events=tuple(events), offers=current_offers(session), today=today,
        cart_value=dropoff.cart_value if dropoff and dropoff.cart_value else None,
        order_ref=(order.external_id or str(order.id)) if order else None,
        order_date=order.ordered_at.astimezone(business_tz).date() if order else None,
        order_product=ProductFacts(order_item.product_name, order_item.unit_price) if order_item else None,
        viewed_product=ProductFacts(viewed.name, viewed.price) if viewed else None,
        points=loyalty.points_balance if loyalty else None, tier=loyalty.tier if loyalty else None,
        contact=contact,
    )



def current_offers(session: Session) -> tuple[Offer, ...]:
    """The business's current offers: knowledge snippets tagged ``offer``."""
    rows = session.execute(select(KnowledgeSnippet.id, KnowledgeSnippet.title, KnowledgeSnippet.body,
                                  KnowledgeSnippet.tags, KnowledgeSnippet.language).where(KnowledgeSnippet.tags.is_not(None))
                           .order_by(KnowledgeSnippet.id)).all()
    out = []
    for row in rows:
        tags = frozenset(t.strip().lower() for t in (row.tags or "").split(",") if t.strip())
        if "offer" in tags and row.body.strip():
            out.append(Offer(row.id, row.title, row.body.strip().rstrip(".।"), tags, row.language or "en"))
    return tuple(out)
