"""Slack bookkeeping rules: take on each delivery once (across processes), and who a Slack user is.

``claim_delivery`` is insert-first: the row goes in, in its own transaction, before any work. A
second process delivering the same event (a retry with ``X-Slack-Retry-Num``, or the same message
under a new event id) fails the unique constraint and leaves the work to the first. On PostgreSQL
the second insert waits for the first transaction and then fails; on SQLite the write lock queues
them. The price: a worker that dies after claiming does not get a second chance from Slack's retry;
writes themselves stay exactly-once through the tools' idempotency keys either way.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.errors import DomainError
from domain.models import User
from domain.models.channels import SlackDelivery
from domain.users import UserInfo, get_user, list_users

KINDS = ("message", "command", "action", "decision", "view", "digest")


def claim_delivery(sessions: sessionmaker[Session], *, team_id: str, kind: str, now: datetime,
                   event_id: str | None = None, channel: str | None = None, message_ts: str | None = None,
                   slack_user_id: str | None = None, retry_num: int = 0) -> bool:
    """True when this delivery is new and now ours to handle; False when it was already taken on."""
    if kind not in KINDS:
        raise DomainError(f"unknown delivery kind {kind!r}: use one of {', '.join(KINDS)}", field="kind")
    if not event_id and not (channel and message_ts):
        raise DomainError("a delivery needs an event_id, or a channel and a message_ts, to be deduplicated")
    row = SlackDelivery(team_id=team_id or "-", kind=kind, event_id=event_id or None, channel=channel or None,
                        message_ts=message_ts or None, slack_user_id=slack_user_id, retry_num=retry_num,
                        received_at=now)
    try:
        with sessions() as session, session.begin():
            session.add(row)
    except IntegrityError:
        return False
    return True


def release_delivery(sessions: sessionmaker[Session], *, team_id: str, event_id: str) -> None:
    """Give a claimed delivery back (its work failed before doing anything), so a retry may take it."""
    with sessions() as session, session.begin():
        session.execute(delete(SlackDelivery).where(SlackDelivery.team_id == (team_id or "-"),
                                                    SlackDelivery.event_id == event_id))


def prune_deliveries(sessions: sessionmaker[Session], *, before: datetime) -> int:
    """Forget deliveries received before ``before`` (Slack stops retrying after minutes); returns the count."""
    with sessions() as session, session.begin():
        return session.execute(delete(SlackDelivery).where(SlackDelivery.received_at < before)).rowcount or 0


def slack_user(session: Session, slack_user_id: str | None) -> UserInfo | None:
    """The active c360 user linked to this Slack user id, or None (unknown or deactivated)."""
    if not slack_user_id:
        return None
    user_id = session.scalar(select(User.id).where(User.slack_user_id == slack_user_id, User.is_active.is_(True)))
    return get_user(session, user_id) if user_id is not None else None


def digest_recipients(session: Session) -> list[UserInfo]:
    """Active users with a Slack id: who gets the daily call-list DM."""
    return [u for u in list_users(session) if u.is_active and u.slack_user_id]
