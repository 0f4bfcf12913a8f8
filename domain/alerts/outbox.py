"""The outbox: each event's deliveries, claimed with a lease, finished once, retried with backoff.

A delivery is claimed in one short transaction (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite's
``BEGIN IMMEDIATE`` serializes claimers) that sets ``lease_until`` and counts the attempt. The
worker sends outside any transaction and then finishes it, only while it still holds the lease.
A worker that dies mid-send leaves a lease that expires: another worker takes the row again, so
nothing is lost on restart; the lease (longer than any send's timeout) keeps two live workers off
one row. Webhooks carry the delivery's idempotency key, so a receiver can drop the one repeat a
crash right after a send can cause.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from tenacity import RetryCallState, wait_exponential, wait_random

from domain.alerts.preferences import daily_cap_of, kind_wanted, preferences_of, quiet_until
from domain.alerts.rules import LABELS, TRIGGERS, AlertRules
from domain.db import transaction
from domain.days import day_start
from domain.models import Customer, SupportTicket, User
from domain.models.alerts import AlertDailyCount, AlertDelivery, AlertDeliveryAttempt, AlertEvent

MAX_BACKOFF_SECONDS = 3600.0


def delivery_key(event_id: int, target: str, destination: str) -> str:
    """Stable across retries and restarts: what a receiver deduplicates on."""
    return hashlib.sha256(f"{event_id}:{target}:{destination}".encode()).hexdigest()[:40]


def enqueue(session: Session, event: AlertEvent, rules: AlertRules, now: datetime) -> list[AlertDelivery]:
    """The event's deliveries, in the event's transaction: the assigned agent's DM (or the alert
    channel for an unassigned customer), and every webhook. A kind the agent turned off is logged
    as skipped, so ``c360 alerts list`` shows why nothing came."""
    customer = session.get(Customer, event.customer_id)
    agent = customer.assigned_to if customer is not None else None
    rows: list[AlertDelivery] = []

    def add(target: str, destination: str, user_id: int | None = None, skipped: str | None = None) -> None:
        rows.append(AlertDelivery(
            event_id=event.id, target=target, destination=destination, user_id=user_id,
            idempotency_key=delivery_key(event.id, target, destination),
            status="skipped" if skipped else "pending", last_error=skipped, next_attempt_at=now,
            created_at=now))

    if agent is not None and agent.is_active and agent.slack_user_id:
        wanted = kind_wanted(preferences_of(session, agent.id), event.kind)
        add("slack", agent.slack_user_id, agent.id, None if wanted else f"{event.kind} alerts turned off by {agent.name}")
    elif rules.channel:
        add("slack", rules.channel)
    for url in rules.webhook_urls:
        add("webhook", url)
    session.add_all(rows)
    return rows


def event_document(session: Session, event: AlertEvent, zone: ZoneInfo) -> dict:
    """The event as a webhook body and as the Slack card's data (names read now, not stored)."""
    customer = session.get(Customer, event.customer_id)
    agent = customer.assigned_to if customer is not None else None
    ticket = None
    if event.subject.startswith("ticket:"):
        row = session.get(SupportTicket, int(event.subject.split(":", 1)[1]))
        ticket = {"id": row.id, "subject": row.subject, "status": row.status} if row is not None else None
    return {
        "id": event.id, "type": TRIGGERS[event.kind], "kind": event.kind, "title": LABELS[event.kind],
        "day": event.day.isoformat(), "occurred_at": event.occurred_at.astimezone(zone).isoformat(),
        "reason": event.reason, "facts": event.facts or {}, "source": event.source, "ticket": ticket,
        "customer": {"id": event.customer_id, "name": customer.name if customer else None,
                     "temperature": customer.temperature if customer else None,
                     "customer_type": customer.customer_type if customer else None,
                     "assigned_to": agent.name if agent else None},
    }


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease on, with what to send."""

    id: int
    target: str
    destination: str
    key: str
    attempt: int
    document: dict
    user_id: int | None = None
    cap_day: date | None = None  # the day whose daily-cap slot it holds (a Slack DM to a user)


def claim(sessions: sessionmaker[Session], *, worker: str, now: datetime, zone: ZoneInfo,
          lease_seconds: float, limit: int = 20, default_cap: int = 20,
          targets: tuple[str, ...] = ("slack", "webhook")) -> list[Claimed]:
    """Take up to ``limit`` due deliveries to ``targets`` (the ones this worker can send: the others
    wait in the outbox until a worker that can comes along). Slack DMs in their user's quiet hours are put off to
    the hours' end; those over the user's daily cap are skipped (logged); neither counts as a try.

    The cap check and the claim are one step: each DM takes a slot of its user's day counter with a
    conditional update in this transaction, so two workers at once (threads or processes) never both
    take the last slot. Users are visited in id order, so two claimers lock counters in one order."""
    d = AlertDelivery
    with transaction(sessions) as session:
        query = (select(d).where(d.status == "pending", d.target.in_(targets), d.next_attempt_at <= now,
                                 or_(d.lease_until.is_(None), d.lease_until < now))
                 .order_by(d.next_attempt_at, d.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.scalars(query).all()
        today = now.astimezone(zone).date()
        claimed: dict[int, Claimed] = {}
        for row in sorted(rows, key=lambda r: r.user_id or 0):  # stable: due order within a user
            event = session.get(AlertEvent, row.event_id)
            if session.scalar(select(Customer.status).where(Customer.id == event.customer_id)) == "erased":
                row.status, row.last_error = "skipped", "the customer was erased"
                continue
            if row.target == "slack" and row.user_id is not None:
                prefs = preferences_of(session, row.user_id)
                until = quiet_until(prefs, now, zone)
                if until is not None:
                    row.next_attempt_at, row.lease_until, row.leased_by = until, None, None
                    continue
                # a row taken again after its worker died still holds today's slot
                if row.cap_day != today:
                    if not _take_slot(session, row.user_id, today, daily_cap_of(prefs, default_cap), now, zone):
                        row.status, row.last_error = "skipped", "daily alert cap reached"
                        row.lease_until = row.leased_by = None
                        continue
                    row.cap_day = today
            row.attempts += 1
            row.lease_until = now + timedelta(seconds=lease_seconds)
            row.leased_by = worker
            claimed[row.id] = Claimed(row.id, row.target, row.destination, row.idempotency_key, row.attempts,
                                      event_document(session, event, zone), row.user_id, row.cap_day)
        return [claimed[row.id] for row in rows if row.id in claimed]


def _take_slot(session: Session, user_id: int, day: date, cap: int, now: datetime, zone: ZoneInfo) -> bool:
    """One of the user's ``cap`` alert DMs of ``day``, or False when they are all taken."""
    c = AlertDailyCount
    if session.get(c, (user_id, day)) is None:
        # the day's first: seeded from what was sent before the counter existed (an upgrade mid-day)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(c).values(user_id=user_id, day=day, taken=_taken_today(session, user_id, now, zone))
                        .on_conflict_do_nothing(index_elements=[c.user_id, c.day]))
    taken = session.execute(update(c).where(c.user_id == user_id, c.day == day, c.taken < cap)
                            .values(taken=c.taken + 1).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def _give_back(session: Session, user_id: int, day: date) -> None:
    c = AlertDailyCount
    session.execute(update(c).where(c.user_id == user_id, c.day == day, c.taken > 0)
                    .values(taken=c.taken - 1).execution_options(synchronize_session=False))


def _taken_today(session: Session, user_id: int, now: datetime, zone: ZoneInfo) -> int:
    """The user's alert DMs sent today, and those in flight (what seeds the day's counter)."""
    d = AlertDelivery
    start = day_start(now.astimezone(zone).date(), zone)
    return session.scalar(select(func.count()).select_from(d).where(
        d.user_id == user_id, d.target == "slack",
        or_((d.status == "sent") & (d.sent_at >= start),
            (d.status == "pending") & (d.lease_until > now)))) or 0


def backoff_seconds(attempt: int, first: float) -> float:
    """Pause before try ``attempt + 1``: exponential from ``first`` with jitter, at most an hour."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = max(attempt, 1)
    wait = wait_exponential(multiplier=first, max=MAX_BACKOFF_SECONDS) + wait_random(0, first / 2)
    return min(float(wait(state)), MAX_BACKOFF_SECONDS)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    started_at: datetime
    status_code: int | None = None
    remote_ref: str | None = None
    error: str | None = None
    permanent: bool = False  # retrying cannot help (a channel that does not exist, a 4xx)


def finish(sessions: sessionmaker[Session], claimed: Claimed, outcome: Outcome, *, worker: str,
           now: datetime, max_attempts: int, retry_seconds: float) -> str:
    """Record the try and settle the row, if this worker still holds it; returns the new status
    ("lost" when the lease had passed to another worker)."""
    d = AlertDelivery
    with transaction(sessions) as session:
        session.add(AlertDeliveryAttempt(
            delivery_id=claimed.id, number=claimed.attempt, worker=worker, started_at=outcome.started_at,
            finished_at=now, ok=outcome.ok, status_code=outcome.status_code,
            error=(outcome.error or None) and outcome.error[:2000]))
        mine = (d.id == claimed.id) & (d.leased_by == worker) & (d.status == "pending") & (d.attempts == claimed.attempt)
        if outcome.ok:
            values = {"status": "sent", "sent_at": now, "remote_ref": outcome.remote_ref, "last_error": None}
        elif outcome.permanent or claimed.attempt >= max_attempts:
            values = {"status": "failed", "last_error": outcome.error}
        else:
            values = {"last_error": outcome.error,
                      "next_attempt_at": now + timedelta(seconds=backoff_seconds(claimed.attempt, retry_seconds))}
        if not outcome.ok:
            values["cap_day"] = None  # the slot goes back: a retry takes one again
        done = session.execute(update(d).where(mine).values(lease_until=None, leased_by=None, **values)).rowcount
        if done and not outcome.ok and claimed.user_id is not None and claimed.cap_day is not None:
            _give_back(session, claimed.user_id, claimed.cap_day)
        return values.get("status", "pending") if done else "lost"


def retry_now(session: Session, delivery_id: int, now: datetime) -> AlertDelivery:
    """Put a failed or skipped delivery back in the queue (``c360 alerts retry``)."""
    from domain.errors import NotFound

    row = session.get(AlertDelivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound(f"there is no alert delivery #{delivery_id}", field="delivery")
    if row.status != "sent":
        row.status, row.next_attempt_at, row.lease_until, row.leased_by = "pending", now, None, None
        row.attempts = 0
    return row


def recipients_name(session: Session, delivery: AlertDelivery) -> str:
    if delivery.user_id is not None:
        name = session.scalar(select(User.name).where(User.id == delivery.user_id))
        if name:
            return name
    return delivery.destination
