"""How the business talks to customers: interactions, opportunities, tickets, segments, reply material."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Column, Date, Float, ForeignKey, Index, Integer, String, Table, Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, utcnow

interaction_products = Table(
    "interaction_products",
    Base.metadata,
    Column("interaction_id", ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who logged it
    type: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), default="outbound")
    subject: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[str | None] = mapped_column(String(8))  # positive, neutral, negative
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    follow_up_required: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_at: Mapped[datetime | None]
    follow_up_done_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    products = relationship("Product", secondary=interaction_products, lazy="selectin")

    __table_args__ = (
        CheckConstraint(
            "type in ('call','whatsapp','sms','email','meeting','facebook','instagram','in_person')",
            name="type",
        ),
        CheckConstraint("direction in ('inbound','outbound')", name="direction"),
        CheckConstraint(
            "outcome is null or outcome in ('interested','not_interested','callback','no_answer',"
            "'purchased','complaint','resolved','other')",
            name="outcome",
        ),
        CheckConstraint(
            "duration_seconds is null or (duration_seconds >= 0 and duration_seconds <= 43200)",
            name="duration_range",
        ),
        Index("ix_interactions_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_interactions_follow_up", "follow_up_at"),
    )


class FollowUp(Base):
    """A planned contact with a life: set, moved (replaced), answered or cancelled.

    At most one is open per customer (``closed_at`` null): a partial unique index says so.
    """

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    set_at: Mapped[datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the logged contact that asked for it (None: set with set_follow_up)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(16))  # answered, replaced, cancelled
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    close_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "close_reason is null or close_reason in ('answered','replaced','cancelled')",
            name="close_reason",
        ),
        CheckConstraint(
            "(closed_at is null) = (close_reason is null)", name="closed_with_reason"
        ),
        Index("ix_follow_ups_customer", "customer_id", "closed_at"),
        Index(
            "uq_follow_ups_one_open",
            "customer_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_follow_ups_due_at", "due_at"),
    )


class Opportunity(Base):
    """A B2B deal for account-based sellers."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(30), default="qualification")
    value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    probability: Mapped[float] = mapped_column(Float, default=0.1)
    status: Mapped[str] = mapped_column(String(8), default="open")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expected_close: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("status in ('open','won','lost')", name="status"),
        CheckConstraint("probability >= 0 and probability <= 1", name="probability_range"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )


class SupportTicket(Base):
    __tablename__ = "support_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    sla_due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    csat: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("status in ('open','pending','resolved','closed')", name="status"),
        CheckConstraint("csat is null or (csat >= 1 and csat <= 5)", name="csat_range"),
    )


segment_members = Table(
    "segment_members",
    Base.metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
)


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyTemplate(Base):
    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))  # None: any channel
    language: Mapped[str] = mapped_column(String(8), default="en")
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    whatsapp_approved: Mapped[bool] = mapped_column(Boolean, default=False)  # usable outside 24 h


class KnowledgeSnippet(Base):
    __tablename__ = "knowledge_snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
