"""The consent log (every opt-in and opt-out: channel, source, reason, who, when) as rows and CSV."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import ConsentEvent, Customer, User
from domain.privacy.redaction import plain
from domain.spreadsheet import write_csv

CONSENT_COLUMNS = (
    "customer_id",
    "customer_name",
    "channel",
    "opted_in",
    "source",
    "reason",
    "changed_by",
    "occurred_at",
)


def consent_log(session: Session, customer_id: int | None = None) -> list[dict[str, Any]]:
    """Every consent change, oldest first per customer; one customer's or everybody's."""
    query = (
        select(
            ConsentEvent.customer_id,
            Customer.name.label("customer_name"),
            ConsentEvent.channel,
            ConsentEvent.opted_in,
            ConsentEvent.source,
            ConsentEvent.reason,
            User.name.label("changed_by"),
            ConsentEvent.occurred_at,
        )
        .join(Customer, Customer.id == ConsentEvent.customer_id)
        .outerjoin(User, User.id == ConsentEvent.user_id)
        .order_by(ConsentEvent.customer_id, ConsentEvent.occurred_at, ConsentEvent.id)
    )
    if customer_id is not None:
        if session.get(Customer, customer_id) is None:
            raise NotFound(f"no customer with id {customer_id}", field="customer_id")
        query = query.where(ConsentEvent.customer_id == customer_id)
    return [{k: plain(v) for k, v in row.items()} for row in session.execute(query).mappings()]


def write_consent_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write consent-log rows as CSV with a header line (formula-safe cells, ``domain.spreadsheet``);
    returns the number of rows written."""
    return write_csv(out, CONSENT_COLUMNS, (
        {k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()} for row in rows))
