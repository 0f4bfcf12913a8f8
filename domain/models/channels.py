"""What the chat channels keep for themselves: the Slack deliveries already handled (deduplication)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, utcnow


class SlackDelivery(Base):
    """One Slack event, command, click or form already taken on; inserted *before* the work is done.

    Slack re-sends an event it thinks was not handled and can deliver one message twice under two
    event ids, so a delivery is unique both by ``event_id`` and by what it is about: ``kind`` +
    ``channel`` + ``message_ts`` (a user's message, or the confirmation message a decision answers).
    NULLs never collide, so a row may carry either key or both.
    """

    __tablename__ = "slack_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # message, command, action, decision, view, digest
    event_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    retry_num: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("team_id", "event_id", name="uq_slack_deliveries_event"),
        UniqueConstraint("team_id", "kind", "channel", "message_ts", name="uq_slack_deliveries_message"),
        Index("ix_slack_deliveries_received_at", "received_at"),
    )
