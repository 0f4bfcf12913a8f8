"""Recovering abandoned carts and checkouts, with credit to the outreach that won them back.

Attribution rule: a recovery is credited to the customer's most recent *outbound* interaction
(any channel) that happened after the drop-off, at most ATTRIBUTION_DAYS (14) before the recovery,
and not after it. Ties on time go to the later-logged interaction. None fits: no attribution.

Recovering a drop-off that is already recovered changes nothing; the caller reports when and by
whom it was recovered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from domain.days import business_tz
from domain.errors import DomainError, NotFound
from domain.interactions import lock_customer
from domain.models import Dropoff, Interaction
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS
from domain.stats import refresh_customer

ATTRIBUTION_DAYS = 14
MAX_NOTE = 2000


@dataclass
class Recovery:
    """What ``mark_recovered`` did."""

    dropoff: Dropoff
    already_recovered: bool
    attributed_to: Interaction | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


def open_dropoffs(session: Session, customer_id: int) -> list[Dropoff]:
    """The customer's drop-offs not yet recovered, newest first."""
    return list(
        session.scalars(
            select(Dropoff)
            .where(Dropoff.customer_id == customer_id, Dropoff.recovered == false())
            .order_by(Dropoff.occurred_at.desc(), Dropoff.id.desc())
        )
    )


def attributable_outreach(session: Session, dropoff: Dropoff, now: datetime) -> Interaction | None:
    """The outbound interaction the recovery is credited to (rule in the module docstring)."""
    since = max(dropoff.occurred_at, now - timedelta(days=ATTRIBUTION_DAYS))
    return session.scalar(
        select(Interaction)
        .where(
            Interaction.customer_id == dropoff.customer_id,
            Interaction.direction == "outbound",
            Interaction.occurred_at >= since,
            Interaction.occurred_at <= now,
        )
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(1)
    )


def mark_recovered(
    session: Session,
    dropoff_id: int,
    *,
    user_id: int | None,
    now: datetime,
    note: str | None = None,
    tz: ZoneInfo | None = None,
    monetary_thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
) -> Recovery:
    """Mark one drop-off recovered now, attribute it, refresh the customer's scores (caller commits)."""
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    text = (note or "").strip() or None
    if text and len(text) > MAX_NOTE:
        raise DomainError(f"note is longer than {MAX_NOTE} characters; shorten it", field="note")
    found = session.get(Dropoff, dropoff_id)
    if found is None:
        raise NotFound(f"there is no drop-off #{dropoff_id}", field="dropoff_id")
    # Lock the customer first (the order every writer uses), then the drop-off itself.
    lock_customer(session, found.customer_id)
    dropoff = session.get(Dropoff, dropoff_id, with_for_update=True, populate_existing=True)
    if dropoff.recovered:
        return Recovery(dropoff, already_recovered=True)
    credit = attributable_outreach(session, dropoff, now)
    dropoff.recovered = True
    dropoff.recovered_at = now
    dropoff.recovered_by_id = user_id
    dropoff.recovery_interaction_id = credit.id if credit else None
    dropoff.recovery_note = text
    session.flush()
    tz = tz or (now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else business_tz())
    changes = refresh_customer(session, dropoff.customer_id, now.astimezone(tz).date(), now=now, tz=tz,
                               monetary_thresholds=monetary_thresholds)
    return Recovery(dropoff, False, credit, changes)
