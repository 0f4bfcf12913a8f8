"""The product's own bookkeeping: audit trail and idempotency records."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, JSON, Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, UTCDateTime, utcnow


class AuditLog(Base):
    """One row per write: who did what to which record, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))  # tool name or admin command
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    customer_id: Mapped[int | None] = mapped_column(index=True)
    arguments: Mapped[dict | None] = mapped_column(JSON)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first result of a write, replayed when the same key comes again."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    action: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_idempotency_created", "created_at"),)


class ChatTurnWindow(Base):
    """A user's chat turns of the last minute (epoch seconds, oldest first): the rate limit shared by
    every server process on PostgreSQL (``domain.shared_locks.take_chat_turn``). Unused on SQLite."""

    __tablename__ = "chat_turn_windows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    turns: Mapped[list[float]] = mapped_column(ARRAY(Float).with_variant(JSON(), "sqlite"))


class DailyRun(Base):
    """A daily job (the score refresh, the Slack digest) that finished for a day, and which process ran it."""

    __tablename__ = "daily_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    runner: Mapped[str] = mapped_column(String(128))  # host:pid
