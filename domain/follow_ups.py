"""Follow-ups, a thing with a life (CONTRACT 1b), and the one place their rules are written.

* A customer has at most one open follow-up (``closed_at`` null; a unique index holds it).
* ``follow_up_at`` on a logged contact, or ``set_follow_up`` with a time, sets it: an open one is
  closed as ``replaced`` and the new one opens. A time in the past is refused.
* A logged contact that reached the customer (any outcome but ``no_answer``) closes the open one
  as ``answered`` when it happened on or after the follow-up's day (in the customer's time zone)
  and not before the follow-up was set. An earlier contact, or a no-answer attempt, leaves it open.
* ``set_follow_up`` without a time closes the open one as ``cancelled``, with a note.
* ``customer_stats.next_follow_up_at`` is the open one's time (``domain.stats`` reads this table).

Bulk loaders (the demo, the CSV import, eval fixtures) write interactions directly and then call
``replay_follow_ups``, which applies the same rules to each customer's history in time order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError
from domain.models import Customer, FollowUp, Interaction

MAX_NOTE = 2000


@dataclass
class FollowUpChange:
    """What one write did to a customer's follow-up."""

    opened: FollowUp | None = None
    closed: FollowUp | None = None  # the one it closed (answered, replaced or cancelled)


def zone_of(customer_timezone: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if customer_timezone:
        try:
            return ZoneInfo(customer_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return fallback


def open_follow_up(session: Session, customer_id: int) -> FollowUp | None:
    """The customer's open follow-up, if any. Called by writes: the customer's row is locked first
    (FOR UPDATE on PostgreSQL; SQLite's writers are serialised already), so two concurrent writes
    for one customer cannot both see "none open" and both open one."""
    session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
    return session.scalar(
        select(FollowUp).where(FollowUp.customer_id == customer_id, FollowUp.closed_at.is_(None))
    )


def reaches(outcome: str | None) -> bool:
    """A contact reached the customer unless nobody answered."""
    return outcome != "no_answer"


def answers(follow_up: FollowUp, occurred_at: datetime, outcome: str | None, zone: ZoneInfo) -> bool:
    """Whether a contact at ``occurred_at`` with ``outcome`` answers ``follow_up``."""
    if not reaches(outcome) or occurred_at < follow_up.set_at:
        return False
    return occurred_at.astimezone(zone).date() >= follow_up.due_at.astimezone(zone).date()


def check_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise DomainError(f"note is longer than {MAX_NOTE} characters; shorten it", field="note")
    return text or None


def close(
    session: Session,
    follow_up: FollowUp,
    *,
    reason: str,
    at: datetime,
    user_id: int | None = None,
    interaction_id: int | None = None,
    note: str | None = None,
) -> FollowUp:
    follow_up.closed_at = at
    follow_up.close_reason = reason
    follow_up.closed_by_id = user_id
    follow_up.closed_by_interaction_id = interaction_id
    follow_up.close_note = note
    if follow_up.interaction_id is not None:  # the asking contact's own record says it is done
        session.execute(
            update(Interaction)
            .where(Interaction.id == follow_up.interaction_id)
            .values(follow_up_done_at=at)
            .execution_options(synchronize_session=False)
        )
    session.flush()  # before a new one opens: the one-open index checks row by row
    return follow_up


def schedule(
    session: Session,
    customer_id: int,
    due_at: datetime,
    *,
    now: datetime,
    user_id: int | None,
    note: str | None = None,
    interaction_id: int | None = None,
) -> FollowUpChange:
    """Open a follow-up due at ``due_at`` (aware), replacing the open one. The caller checks the time."""
    change = FollowUpChange()
    current = open_follow_up(session, customer_id)
    if current is not None:
        change.closed = close(
            session, current, reason="replaced", at=now, user_id=user_id,
            interaction_id=interaction_id, note=note,
        )
    row = FollowUp(
        customer_id=customer_id, due_at=due_at, note=note, set_at=now, set_by_id=user_id,
        interaction_id=interaction_id, created_at=now,
    )
    session.add(row)
    session.flush()
    change.opened = row
    return change


def after_contact(
    session: Session, customer: Customer, interaction: Interaction, zone: ZoneInfo
) -> FollowUp | None:
    """Close the open follow-up if this logged contact answers it; returns the one closed."""
    current = open_follow_up(session, customer.id)
    if current is None or not answers(current, interaction.occurred_at, interaction.outcome, zone):
        return None
    return close(
        session, current, reason="answered", at=interaction.occurred_at,
        user_id=interaction.user_id, interaction_id=interaction.id,
    )


def cancel(
    session: Session, customer_id: int, *, now: datetime, user_id: int | None, note: str | None
) -> FollowUp | None:
    """Close the open follow-up as cancelled; None when there was none."""
    current = open_follow_up(session, customer_id)
    if current is None:
        return None
    return close(session, current, reason="cancelled", at=now, user_id=user_id, note=note)


@dataclass
class SetFollowUp:
    """What ``set_follow_up`` did: the one now open, the one it closed, whether anything changed."""

    open: FollowUp | None
    closed: FollowUp | None
    changed: bool
    changes: dict[str, tuple[str, str]]


def set_follow_up(
    session: Session,
    customer_id: int,
    at: date | datetime | None,
    *,
    note: str | None,
    user_id: int | None,
    now: datetime,
    tz: ZoneInfo,
    monetary_thresholds=None,
) -> SetFollowUp:
    """Schedule or move (``at`` given) or close (``at`` None) the customer's open follow-up.

    Never logs a contact. A time in the past is an error; the same time and note as the open one
    change nothing. The caller owns the transaction.
    """
    from domain.interactions import follow_up_moment, lock_customer  # they use these rules too
    from domain.stats import refresh_customer

    text = check_note(note)
    customer = lock_customer(session, customer_id)
    current = open_follow_up(session, customer.id)
    if at is None:
        if current is None:
            return SetFollowUp(None, None, False, {})
        closed = close(session, current, reason="cancelled", at=now, user_id=user_id, note=text)
        opened = None
    else:
        due = follow_up_moment(session, customer, at, now=now, tz=tz, field="at")
        if current is not None and current.due_at == due and (text is None or text == current.note):
            return SetFollowUp(current, None, False, {})
        change = schedule(session, customer.id, due, now=now, user_id=user_id, note=text)
        opened, closed = change.opened, change.closed
    kwargs = {"monetary_thresholds": monetary_thresholds} if monetary_thresholds else {}
    changes = refresh_customer(
        session, customer.id, now.astimezone(tz).date(), now=now, tz=tz, **kwargs
    )
    return SetFollowUp(opened, closed, True, changes)


def replay_follow_ups(session: Session, customer_ids, tz: ZoneInfo) -> int:
    """Rebuild these customers' follow-ups from their interactions, in time order; returns how many
    are open. For loaders that write history in bulk (demo, import, eval fixtures)."""
    ids = sorted({int(c) for c in customer_ids})
    if not ids:
        return 0
    session.flush()
    zones: dict[int, ZoneInfo] = {}
    rows_by_customer: dict[int, list] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        session.execute(delete(FollowUp).where(FollowUp.customer_id.in_(chunk)))
        for cid, zone in session.execute(
            select(Customer.id, Customer.timezone).where(Customer.id.in_(chunk))
        ):
            zones[cid] = zone_of(zone, tz)
        i = Interaction
        for row in session.execute(
            select(i.customer_id, i.id, i.occurred_at, i.outcome, i.follow_up_at, i.user_id,
                   i.created_at)
            .where(i.customer_id.in_(chunk))
            .order_by(i.customer_id, i.occurred_at, i.id)
        ):
            rows_by_customer[row[0]].append(row)

    new_rows: list[dict] = []
    done: dict[int, datetime | None] = {}
    open_count = 0
    for cid, history in rows_by_customer.items():
        zone = zones.get(cid, tz)
        current: dict | None = None
        for _cid, iid, occurred, outcome, follow_up_at, user_id, created in history:
            if current is not None and reaches(outcome) and occurred >= current["set_at"] and (
                occurred.astimezone(zone).date() >= current["due_at"].astimezone(zone).date()
            ):
                current.update(closed_at=occurred, close_reason="answered", closed_by_id=user_id,
                               closed_by_interaction_id=iid)
                done[current["interaction_id"]] = occurred
                current = None
            if follow_up_at is not None:
                if current is not None:
                    current.update(closed_at=occurred, close_reason="replaced",
                                   closed_by_id=user_id, closed_by_interaction_id=iid)
                    done[current["interaction_id"]] = occurred
                current = dict(
                    customer_id=cid, due_at=follow_up_at, note=None, set_at=occurred,
                    set_by_id=user_id, interaction_id=iid, closed_at=None, close_reason=None,
                    closed_by_id=None, closed_by_interaction_id=None, close_note=None,
                    created_at=created or occurred,
                )
                done[iid] = None
                new_rows.append(current)
        open_count += current is not None
    if new_rows:
        session.execute(FollowUp.__table__.insert(), new_rows)
    # the asking contacts' own done marks, kept in step
    by_value: dict[datetime | None, list[int]] = defaultdict(list)
    for iid, when in done.items():
        by_value[when].append(iid)
    for when, iids in by_value.items():
        for start in range(0, len(iids), 5000):
            session.execute(
                update(Interaction)
                .where(Interaction.id.in_(iids[start:start + 5000]))
                .values(follow_up_done_at=when)
                .execution_options(synchronize_session=False)
            )
    return open_count
