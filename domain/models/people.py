"""Users of c360 and the customers they serve, with family, consent and contact preferences."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint,
)
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import PERSONAL, Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="agent")
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("role in ('agent','manager','admin')", name="role"),)


class ApiToken(Base):
    """Bearer tokens for the HTTP API; only a hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=PERSONAL)
    phone: Mapped[str | None] = mapped_column(String(20), index=True, info=PERSONAL)  # E.164
    email: Mapped[str | None] = mapped_column(String(255), index=True, info=PERSONAL)  # lower-cased
    company: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    city: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    district: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    address: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    gender: Mapped[str | None] = mapped_column(String(16), info=PERSONAL)
    date_of_birth: Mapped[date | None] = mapped_column(Date, info=PERSONAL)
    marital_status: Mapped[str | None] = mapped_column(String(16), info=PERSONAL)
    anniversary_date: Mapped[date | None] = mapped_column(Date, info=PERSONAL)
    profession: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    best_time_to_contact: Mapped[str | None] = mapped_column(String(60), info=PERSONAL)  # "18:00-20:00", "evening"
    customer_type: Mapped[str] = mapped_column(String(16), default="new")
    account_kind: Mapped[str] = mapped_column(String(16), default="retail")
    source: Mapped[str | None] = mapped_column(String(60), info=PERSONAL)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, inactive, erased
    lifecycle_stage: Mapped[str] = mapped_column(String(16), default="lead")
    lifecycle_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # set by hand: rules leave it
    temperature: Mapped[str] = mapped_column(String(8), default="cold")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    timezone: Mapped[str | None] = mapped_column(String(64), info=PERSONAL)
    language: Mapped[str | None] = mapped_column(String(8), info=PERSONAL)  # "bn", "en"
    quiet_hours_start: Mapped[time | None] = mapped_column(Time, info=PERSONAL)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time, info=PERSONAL)
    preferred_channel: Mapped[str | None] = mapped_column(String(16), info=PERSONAL)
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True, info=PERSONAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None]

    assigned_to: Mapped[User | None] = relationship(lazy="joined")
    family: Mapped[list["FamilyMember"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="FamilyMember.id"
    )
    consents: Mapped[list["ChannelConsent"]] = relationship(cascade="all, delete-orphan")
    stats: Mapped["CustomerStats | None"] = relationship(uselist=False, cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("customer_type in ('new','repeat','vip','inactive')", name="customer_type"),
        CheckConstraint("account_kind in ('retail','wholesale','distributor')", name="account_kind"),
        CheckConstraint(
            "lifecycle_stage in ('lead','prospect','first_buyer','repeat_buyer','loyal','inactive')",
            name="lifecycle_stage",
        ),
        CheckConstraint("temperature in ('hot','warm','cold')", name="temperature"),
        Index("ix_customers_status_assigned", "status", "assigned_to_id"),
        # Covers the call-priority scan over all customers (domain.call_priority).
        Index("ix_customers_ranking", "status", "erased_at", "id", "temperature", "lifecycle_stage",
              "assigned_to_id"),
    )


class CustomerStats(Base):
    """Per-customer aggregates kept current on every write, so rankings never re-scan orders."""

    __tablename__ = "customer_stats"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    order_count: Mapped[int] = mapped_column(Integer, default=0)  # completed orders
    total_spent: Mapped[Decimal] = mapped_column(default=Decimal("0"))  # completed orders
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None] = mapped_column(index=True)
    interaction_count: Mapped[int] = mapped_column(Integer, default=0)
    last_interaction_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]  # WhatsApp's 24-hour window starts here
    last_positive_at: Mapped[datetime | None]  # last interested / purchased / resolved outcome
    next_follow_up_at: Mapped[datetime | None] = mapped_column(index=True)  # the open follow-up
    last_not_interested_at: Mapped[datetime | None]  # last not_interested outcome
    last_complaint_at: Mapped[datetime | None]  # last complaint outcome
    open_dropoff_count: Mapped[int] = mapped_column(Integer, default=0)
    open_dropoff_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    last_dropoff_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FamilyMember(Base):
    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), info=PERSONAL)
    name_key: Mapped[str] = mapped_column(String(200), info=PERSONAL)  # case- and space-folded, for duplicates
    relationship: Mapped[str] = mapped_column(String(16))
    date_of_birth: Mapped[date | None] = mapped_column(Date, info=PERSONAL)
    anniversary_date: Mapped[date | None] = mapped_column(Date, info=PERSONAL)
    phone: Mapped[str | None] = mapped_column(String(20), info=PERSONAL)
    email: Mapped[str | None] = mapped_column(String(255), info=PERSONAL)
    gender: Mapped[str | None] = mapped_column(String(16), info=PERSONAL)
    profession: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # the column above shadows sqlalchemy.orm.relationship inside this class body
    customer: Mapped[Customer] = orm.relationship(back_populates="family")

    __table_args__ = (
        UniqueConstraint("customer_id", "name_key", "relationship"),
        CheckConstraint(
            "relationship in ('spouse','child','parent','sibling','grandparent','other')",
            name="relationship",
        ),
    )


class ChannelConsent(Base):
    """Current opt-in per customer and channel; every change is also appended to ConsentEvent."""

    __tablename__ = "channel_consents"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentEvent(Base):
    """Append-only consent history: who changed what, when and why."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    opted_in: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(60))  # import, customer_request, agent, demo
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(60))

    __table_args__ = (UniqueConstraint("customer_id", "tag"),)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(30), default="general")
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
