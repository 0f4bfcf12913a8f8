"""Small world builders for tests: each inserts model rows directly and returns the flushed row.

They skip the domain validation on purpose (build any state, even odd ones) and do NOT refresh
customer aggregates: call ``domain.stats.refresh_stats`` / ``refresh_derived`` yourself when a test
reads scores. Times accept a ``date`` (noon in Dhaka), a naive ``datetime`` (Dhaka local) or an
aware ``datetime``. Example::

    rina = make_user(session, "Rina Akter")
    rahim = make_customer(session, "Rahim Uddin", phone="01712345678", assigned_to=rina)
    kettle = make_product(session, "Blue Kettle", price=4500, category="Kitchen")
    make_order(session, rahim, at=date(2026, 10, 1), amount=4500, items=[kettle])
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.follow_ups import close, replay_follow_ups
from domain.models import (
    FollowUp,
    BehaviorEvent,
    Category,
    ChannelConsent,
    Customer,
    Dropoff,
    FamilyMember,
    Interaction,
    LoyaltyAccount,
    Opportunity,
    Order,
    OrderItem,
    Product,
    SupportTicket,
    Tag,
    User,
)
from domain.phone import normalize_phone

DHAKA = ZoneInfo("Asia/Dhaka")
CREATED = datetime(2024, 1, 1, 12, 0, tzinfo=DHAKA)  # fixed, so rows compare equal between runs


def when(value: date | datetime | None) -> datetime | None:
    """An aware datetime: dates become noon in Dhaka, naive datetimes are read as Dhaka time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=DHAKA)
    return datetime.combine(value, time(12, 0), tzinfo=DHAKA)


def _add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def make_user(session: Session, name: str = "Rina Akter", role: str = "agent", **fields: Any) -> User:
    """A user (agent by default); ``slack_user_id``, ``email`` optional."""
    return _add(session, User(name=name, role=role, created_at=CREATED, **fields))


def make_customer(
    session: Session,
    name: str = "Rahim Uddin",
    *,
    phone: str | None = None,
    email: str | None = None,
    assigned_to: User | None = None,
    created_at: date | datetime | None = None,
    tags: Iterable[str] = (),
    **fields: Any,
) -> Customer:
    """A customer; ``phone`` in any Bangladeshi form (stored E.164), any other Customer column as keyword."""
    moment = when(created_at) or CREATED
    customer = _add(
        session,
        Customer(
            name=name,
            phone=normalize_phone(phone) if phone else None,
            email=email.lower() if email else None,
            assigned_to_id=assigned_to.id if assigned_to else None,
            created_at=moment,
            updated_at=moment,
            **fields,
        ),
    )
    for tag in tags:
        session.add(Tag(customer_id=customer.id, tag=tag))
    session.flush()
    return customer


def make_category(session: Session, name: str = "Kitchen") -> Category:
    """The category with this name, created when missing."""
    found = session.scalar(select(Category).where(Category.name == name))
    return found or _add(session, Category(name=name))


def make_product(
    session: Session,
    name: str = "Blue Kettle",
    *,
    price: float | Decimal = 4500,
    category: str | None = "Kitchen",
    **fields: Any,
) -> Product:
    """A catalogue product, in ``category`` (created when missing)."""
    category_id = make_category(session, category).id if category else None
    return _add(
        session,
        Product(name=name, price=Decimal(str(price)), category_id=category_id, created_at=CREATED, **fields),
    )


def make_order(
    session: Session,
    customer: Customer,
    *,
    at: date | datetime,
    amount: float | Decimal,
    status: str = "completed",
    items: Iterable[Product | str] = (),
    **fields: Any,
) -> Order:
    """An order; ``items`` are Products (their price) or names (no product row, price shares the amount)."""
    items = list(items)
    order = Order(
        customer_id=customer.id,
        ordered_at=when(at),
        total_amount=Decimal(str(amount)),
        status=status,
        created_at=when(at),
        **fields,
    )
    for item in items:
        if isinstance(item, Product):
            order.items.append(OrderItem(product_id=item.id, product_name=item.name, unit_price=item.price))
        else:
            share = Decimal(str(amount)) / len(items)
            order.items.append(OrderItem(product_name=item, unit_price=share.quantize(Decimal("0.01"))))
    return _add(session, order)


def make_interaction(
    session: Session,
    customer: Customer,
    *,
    at: date | datetime,
    type: str = "call",
    direction: str = "outbound",
    outcome: str | None = None,
    notes: str = "",
    follow_up_at: date | datetime | None = None,
    user: User | None = None,
    products: Iterable[Product] = (),
    **fields: Any,
) -> Interaction:
    """An interaction; a ``follow_up_at`` also sets ``follow_up_required``."""
    row = Interaction(
        customer_id=customer.id,
        type=type,
        direction=direction,
        outcome=outcome,
        notes=notes,
        occurred_at=when(at),
        follow_up_at=when(follow_up_at),
        follow_up_required=follow_up_at is not None,
        user_id=user.id if user else None,
        created_at=when(at),
        **fields,
    )
    row.products = list(products)
    _add(session, row)
    # the follow-up records follow from the history, by the product's own rules
    replay_follow_ups(session, [customer.id], DHAKA)
    if fields.get("follow_up_done_at") is not None:  # a test that wants it closed, whatever the rules
        opened = session.scalar(select(FollowUp).where(FollowUp.interaction_id == row.id))
        if opened is not None and opened.closed_at is None:
            close(session, opened, reason="answered", at=fields["follow_up_done_at"])
    session.expire(row)
    return row


def make_dropoff(
    session: Session,
    customer: Customer,
    *,
    at: date | datetime,
    stage: str = "add_to_cart",
    cart_value: float | Decimal = 0,
    product: Product | None = None,
    recovered: bool = False,
    **fields: Any,
) -> Dropoff:
    """A drop-off (open unless ``recovered``; a recovered one gets ``recovered_at`` = ``at`` unless given)."""
    fields.setdefault("recovered_at", when(at) if recovered else None)
    return _add(
        session,
        Dropoff(
            customer_id=customer.id,
            occurred_at=when(at),
            stage=stage,
            cart_value=Decimal(str(cart_value)),
            product_id=product.id if product else None,
            recovered=recovered,
            **fields,
        ),
    )


def make_behavior(
    session: Session,
    customer: Customer,
    *,
    at: date | datetime,
    type: str = "product_view",
    product: Product | None = None,
    count: int = 1,
    query: str | None = None,
) -> BehaviorEvent:
    """A behaviour event (product_view, add_to_cart, wishlist, search)."""
    return _add(
        session,
        BehaviorEvent(
            customer_id=customer.id,
            occurred_at=when(at),
            type=type,
            count=count,
            query=query,
            product_id=product.id if product else None,
        ),
    )


def make_family(
    session: Session,
    customer: Customer,
    name: str = "Sarah Uddin",
    relationship: str = "spouse",
    **fields: Any,
) -> FamilyMember:
    """A family member; ``date_of_birth``, ``anniversary_date``, ``phone``... as keywords."""
    key = " ".join(name.lower().split())
    return _add(
        session,
        FamilyMember(
            customer_id=customer.id,
            name=name,
            name_key=key,
            relationship=relationship,
            created_at=CREATED,
            **fields,
        ),
    )


def make_consent(
    session: Session, customer: Customer, channel: str = "whatsapp", opted_in: bool = True
) -> ChannelConsent:
    """The current consent of one customer on one channel (no consent-log line)."""
    return _add(
        session,
        ChannelConsent(customer_id=customer.id, channel=channel, opted_in=opted_in, updated_at=CREATED),
    )


def make_loyalty(
    session: Session, customer: Customer, points: int = 0, tier: str = "bronze"
) -> LoyaltyAccount:
    """A loyalty account with a points balance and tier."""
    return _add(
        session, LoyaltyAccount(customer_id=customer.id, points_balance=points, tier=tier, updated_at=CREATED)
    )


def make_ticket(
    session: Session,
    customer: Customer,
    subject: str = "Late delivery",
    *,
    at: date | datetime,
    status: str = "open",
    sla_due_at: date | datetime | None = None,
    **fields: Any,
) -> SupportTicket:
    """A support ticket opened at ``at``."""
    return _add(
        session,
        SupportTicket(
            customer_id=customer.id,
            subject=subject,
            status=status,
            created_at=when(at),
            sla_due_at=when(sla_due_at),
            **fields,
        ),
    )


def make_opportunity(
    session: Session,
    customer: Customer,
    name: str = "Eid bulk order",
    *,
    value: float | Decimal = 100000,
    at: date | datetime,
    status: str = "open",
    stage: str = "proposal",
    **fields: Any,
) -> Opportunity:
    """A B2B opportunity created (and last updated) at ``at`` unless ``updated_at`` is given."""
    fields.setdefault("updated_at", when(at))
    return _add(
        session,
        Opportunity(
            customer_id=customer.id,
            name=name,
            value=Decimal(str(value)),
            status=status,
            stage=stage,
            created_at=when(at),
            **fields,
        ),
    )
