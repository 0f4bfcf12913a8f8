"""c360 speaks first: threshold crossings recorded as events, and the outbox that delivers them.

``alert_latches`` remember which conditions hold (a customer is VIP, a ticket is past its SLA), so an
event is recorded when a condition starts to hold, not every time it is seen; ``alert_events`` holds
at most one event per customer, kind and day. Each event becomes ``alert_deliveries`` rows (one per
Slack recipient and webhook) in the same transaction: the outbox a worker drains, with a lease so
two workers never send one row and a crashed worker's row is taken again after the lease expires.
``alert_delivery_attempts`` logs every try.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, utcnow

ALERT_KINDS = ("vip", "champions", "churn_high", "sla_breached", "cart_abandoned", "low_csat")
DELIVERY_STATUSES = ("pending", "sent", "skipped", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({','.join(repr(v) for v in values)})"


class AlertEvent(Base):
    """A customer crossed a threshold. ``facts`` holds figures only (no names: erasure stays simple)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    day: Mapped[date] = mapped_column(Date)  # the business day it happened
    subject: Mapped[str] = mapped_column(String(40), default="")  # "ticket:12", "dropoff:7", "" = the customer
    source: Mapped[str] = mapped_column(String(16))  # write, refresh, test
    reason: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "day", name="uq_alert_events_once_a_day"),
        CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
        Index("ix_alert_events_occurred_at", "occurred_at"),
    )


class AlertLatch(Base):
    """Whether a condition holds now, per customer, kind and subject (a ticket, a drop-off, or '')."""

    __tablename__ = "alert_latches"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    subject: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    active: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertBaseline(Base):
    """A kind whose conditions were first surveyed over everybody: the survey records latches, not
    events, so switching alerts on does not announce years of history."""

    __tablename__ = "alert_baselines"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertDelivery(Base):
    """One event to one destination (a Slack DM or channel, or a webhook URL): the outbox row."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(8))  # slack, webhook
    destination: Mapped[str] = mapped_column(String(500))  # Slack user or channel id, or the URL
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # whose DM
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    remote_ref: Mapped[str | None] = mapped_column(String(64))  # Slack's message ts, or the HTTP status
    cap_day: Mapped[date | None] = mapped_column(Date)  # the day whose alert_daily_counts slot it holds
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(_in("target", ("slack", "webhook")), name="target"),
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
        Index("ix_alert_deliveries_event", "event_id"),
        Index("ix_alert_deliveries_user_sent", "user_id", "sent_at"),
    )


class AlertDeliveryAttempt(Base):
    """One try at a delivery: the delivery log."""

    __tablename__ = "alert_delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("alert_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_alert_delivery_attempts_delivery", "delivery_id", "number"),)


class AlertDailyCount(Base):
    """A user's alert DMs of one business day, sent or in flight: the daily cap's counter. A worker
    takes a slot with one conditional update (``taken < cap``), so two workers, in one process or
    many, can never both take the last one; a try that fails gives its slot back."""

    __tablename__ = "alert_daily_counts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    taken: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("taken >= 0", name="taken"),)


class AlertPreference(Base):
    """A user's alert choices; no row = every kind, no quiet hours, the default daily cap."""

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kinds: Mapped[list | None] = mapped_column(JSON)  # None: every kind
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    daily_cap: Mapped[int | None] = mapped_column(Integer)  # None: C360_ALERT_DAILY_CAP
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("daily_cap is null or daily_cap >= 0", name="daily_cap"),
        CheckConstraint("(quiet_hours_start is null) = (quiet_hours_end is null)", name="quiet_hours_pair"),
    )


__all__ = ["ALERT_KINDS", "DELIVERY_STATUSES", "AlertBaseline", "AlertDailyCount", "AlertDelivery", "AlertDeliveryAttempt",
           "AlertEvent", "AlertLatch", "AlertPreference"]
