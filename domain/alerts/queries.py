"""Reading the alert log (``c360 alerts list``) and making a test alert (``c360 alerts test``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.alerts.conditions import Finding
from domain.alerts.crossings import upsert
from domain.alerts.outbox import delivery_key
from domain.alerts.preferences import kind_wanted, preferences_of
from domain.alerts.rules import LABELS, AlertRules
from domain.errors import Conflict, DomainError, NotFound
from domain.models import Customer, User
from domain.models.alerts import ALERT_KINDS, DELIVERY_STATUSES, AlertDelivery, AlertEvent


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    target: str
    to: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class EventLine:
    id: int
    occurred_at: datetime
    kind: str
    customer_id: int
    customer: str
    reason: str
    source: str
    deliveries: list[DeliveryLine] = field(default_factory=list)


def recent_events(session: Session, *, since: date, kind: str | None = None, status: str | None = None,
                  limit: int = 50) -> list[EventLine]:
    """Events from ``since`` on, newest first, with their deliveries; ``status`` keeps events with a
    delivery in that state (``failed`` to see what did not get through)."""
    if kind is not None and kind not in ALERT_KINDS:
        raise DomainError(f"unknown alert kind {kind!r}: use one of {', '.join(ALERT_KINDS)}", field="kind")
    if status is not None and status not in DELIVERY_STATUSES:
        raise DomainError(f"unknown delivery status {status!r}: use one of {', '.join(DELIVERY_STATUSES)}",
                          field="status")
    if limit < 1:
        raise DomainError("limit must be 1 or more", field="limit")
    e, d = AlertEvent, AlertDelivery
    query = (select(e, Customer.name).join(Customer, Customer.id == e.customer_id)
             .where(e.day >= since).order_by(e.occurred_at.desc(), e.id.desc()).limit(limit))
    if kind:
        query = query.where(e.kind == kind)
    if status:
        query = query.where(e.id.in_(select(d.event_id).where(d.status == status)))
    rows = session.execute(query).all()
    names = dict(session.execute(select(User.id, User.name)).all())
    by_event: dict[int, list[DeliveryLine]] = {}
    ids = [event.id for event, _ in rows]
    for row in session.scalars(select(d).where(d.event_id.in_(ids)).order_by(d.id)) if ids else []:
        to = names.get(row.user_id, row.destination) if row.user_id else row.destination
        by_event.setdefault(row.event_id, []).append(DeliveryLine(
            row.id, row.target, to, row.status, row.attempts,
            row.next_attempt_at if row.status == "pending" else None, row.last_error))
    return [EventLine(ev.id, ev.occurred_at, ev.kind, ev.customer_id, name, ev.reason, ev.source,
                      by_event.get(ev.id, [])) for ev, name in rows]


def record_test_event(session: Session, user_id: int, *, kind: str, now: datetime, zone: ZoneInfo,
                      rules: AlertRules, customer_id: int | None = None, webhooks: bool = False) -> AlertEvent:
    """A clearly marked test alert for ``user_id`` about one of their customers (or ``customer_id``),
    delivered to their DM only (and to the webhooks with ``webhooks``), through the same outbox.
    Their preferences apply at delivery, so this is how to check them."""
    if kind not in ALERT_KINDS:
        raise DomainError(f"unknown alert kind {kind!r}: use one of {', '.join(ALERT_KINDS)}", field="kind")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user #{user_id}", field="user")
    if not user.slack_user_id and not webhooks:
        raise DomainError(f"{user.name} has no Slack id: link one first (c360 users add ... --slack-id U...)",
                          field="user")
    if customer_id is None:
        customer_id = session.scalar(select(Customer.id).where(Customer.assigned_to_id == user_id,
                                                               Customer.status != "erased")
                                     .order_by(Customer.id).limit(1)) \
            or session.scalar(select(Customer.id).where(Customer.status != "erased").order_by(Customer.id).limit(1))
    if customer_id is None or session.get(Customer, customer_id) is None:
        raise NotFound("there is no customer to make a test alert about", field="customer")
    today = now.astimezone(zone).date()
    finding = Finding(f"this is a test: a {LABELS[kind].lower()} alert looks like this", {"test": True})
    event_id = upsert(session, AlertEvent, [{
        "customer_id": customer_id, "kind": kind, "day": today, "subject": "test", "source": "test",
        "reason": finding.reason, "facts": finding.facts, "occurred_at": now}],
        conflict=("customer_id", "kind", "day"), returning=AlertEvent.id)
    if event_id is None:
        raise Conflict(f"customer #{customer_id} already has a {kind} alert today: pick another --kind or "
                       "--customer", field="kind")
    rows = []
    if user.slack_user_id:
        wanted = kind_wanted(preferences_of(session, user.id), kind)
        rows.append(AlertDelivery(event_id=event_id, target="slack", destination=user.slack_user_id,
                                  user_id=user.id, idempotency_key=delivery_key(event_id, "slack", user.slack_user_id),
                                  status="pending" if wanted else "skipped", next_attempt_at=now, created_at=now,
                                  last_error=None if wanted else f"{kind} alerts turned off by {user.name}"))
    for url in rules.webhook_urls if webhooks else ():
        rows.append(AlertDelivery(event_id=event_id, target="webhook", destination=url,
                                  idempotency_key=delivery_key(event_id, "webhook", url), next_attempt_at=now,
                                  created_at=now))
    session.add_all(rows)
    session.flush()
    return session.get(AlertEvent, event_id)


def since_days(today: date, days: int) -> date:
    if days < 1:
        raise DomainError("days must be 1 or more", field="days")
    return today - timedelta(days=days - 1)


@dataclass(frozen=True)
class AttemptLine:
    number: int
    worker: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    status_code: int | None
    error: str | None


def delivery_log(session: Session, delivery_id: int) -> tuple[DeliveryLine, list[AttemptLine]]:
    """One delivery and every try at it, oldest first (``c360 alerts log``)."""
    from domain.models.alerts import AlertDeliveryAttempt

    row = session.get(AlertDelivery, delivery_id)
    if row is None:
        raise NotFound(f"there is no alert delivery #{delivery_id}", field="delivery")
    to = session.scalar(select(User.name).where(User.id == row.user_id)) if row.user_id else None
    line = DeliveryLine(row.id, row.target, to or row.destination, row.status, row.attempts,
                        row.next_attempt_at if row.status == "pending" else None, row.last_error)
    a = AlertDeliveryAttempt
    tries = [AttemptLine(t.number, t.worker, t.started_at, t.finished_at, t.ok, t.status_code, t.error)
             for t in session.scalars(select(a).where(a.delivery_id == delivery_id).order_by(a.id))]
    return line, tries
