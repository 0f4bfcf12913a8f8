"""What customers buy, look at and leave behind: catalogue, orders, behaviour, drop-offs, loyalty."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, utcnow


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sku: Mapped[str | None] = mapped_column(String(60), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # who it is for (domain.audience): baby, child, girls, boys, women, men, adult; None = anyone
    audience: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("audience is null or audience in ('baby','child','girls','boys','women','men','adult')",
                        name="audience"),
    )


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    ordered_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="completed")
    total_amount: Mapped[Decimal]
    channel: Mapped[str | None] = mapped_column(String(30))  # web, shop, phone, facebook
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["OrderItem"]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("status in ('completed','pending','cancelled','refunded')", name="status"),
        CheckConstraint("total_amount >= 0", name="amount_not_negative"),
        # Covers the per-customer aggregates (domain.stats) and the timeline: no table lookups.
        Index("ix_orders_stats", "customer_id", "status", "ordered_at", "total_amount"),
        Index("ix_orders_ordered", "ordered_at"),
        # A customer's orders newest first (the 360 view, the timeline) without a sort: the
        # stats index has status between customer and date, so it cannot give that order.
        Index("ix_orders_customer_ordered", "customer_id", "ordered_at"),
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal]

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )


class BehaviorEvent(Base):
    __tablename__ = "behavior_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    query: Mapped[str | None] = mapped_column(String(200))  # for searches
    count: Mapped[int] = mapped_column(Integer, default=1)
    occurred_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("type in ('product_view','add_to_cart','wishlist','search')", name="type"),
        CheckConstraint("count > 0", name="count_positive"),
        Index("ix_behavior_customer_occurred", "customer_id", "occurred_at"),
    )


class Dropoff(Base):
    """An abandoned journey (a viewed product, a cart, a checkout, a failed payment)."""

    __tablename__ = "dropoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(24))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    cart_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    reason: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    recovered: Mapped[bool] = mapped_column(Boolean, default=False)
    recovered_at: Mapped[datetime | None]
    recovered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recovery_interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    recovery_note: Mapped[str | None] = mapped_column(Text)
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    __table_args__ = (
        CheckConstraint(
            "stage in ('product_view','add_to_cart','checkout_initiated','payment_failed')", name="stage"
        ),
        CheckConstraint("cart_value >= 0", name="cart_value_not_negative"),
        Index("ix_dropoffs_customer_recovered", "customer_id", "recovered"),
    )


class LoyaltyAccount(Base):
    __tablename__ = "loyalty_accounts"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    points_balance: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String(16), default="bronze")  # bronze, silver, gold, platinum
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoyaltyTransaction(Base):
    __tablename__ = "loyalty_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    points: Mapped[int] = mapped_column(Integer)  # + earned, - redeemed
    reason: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
