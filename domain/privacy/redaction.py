"""What counts as free text and personal data, and how it is redacted (shared by erasure and retention)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import case, literal, or_, update
from sqlalchemy.orm import Session

from domain.models import (
    BehaviorEvent, ConsentEvent, Dropoff, Interaction, Note, SupportTicket,
)

REDACTED = "[redacted]"

# Free text that may hold anything a person said or typed: (model, column, replacement).
# Required columns keep a visible marker; optional ones become NULL.
FREE_TEXT: tuple[tuple[type, str, str | None], ...] = (
    (Note, "body", REDACTED),
    (Interaction, "notes", REDACTED),
    (Interaction, "summary", None),
    (Interaction, "subject", None),
    (Dropoff, "reason", None),
    (Dropoff, "recovery_note", None),
    (SupportTicket, "subject", REDACTED),
    (BehaviorEvent, "query", None),
    (ConsentEvent, "reason", None),
)
# Keys inside audit and idempotency JSON that carry free text (tool arguments and snapshots).
FREE_TEXT_KEYS = frozenset(
    {
        "notes",
        "note",
        "summary",
        "subject",
        "reason",
        "body",
        "query",
        "incoming_message",
        "close_note",
        "recovery_note",
        "message",
    }
)
# Keys that identify a person: redacted too in the audit rows of an erased customer.
PERSONAL_KEYS = FREE_TEXT_KEYS | frozenset(
    {
        "name",
        "customer_name",
        "customer",
        "phone",
        "email",
        "address",
        "date_of_birth",
        "anniversary_date",
        "profession",
        "company",
        "city",
        "district",
        "best_time_to_contact",
        "text",
        "detail",
        "external_key",
        "member",
    }
)


def plain(value: Any) -> Any:
    """A column value as JSON: ISO dates and times (UTC for instants), money as an exact string."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def redact_json(value: Any, keys: frozenset[str]) -> tuple[Any, bool]:
    """``value`` with every non-empty string under one of ``keys`` (at any depth) redacted."""
    if isinstance(value, dict):
        out, changed = {}, False
        for key, item in value.items():
            if key in keys and isinstance(item, str) and item and item != REDACTED:
                out[key], changed = REDACTED, True
            else:
                out[key], sub = redact_json(item, keys)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        pairs = [redact_json(item, keys) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def free_text_by_table() -> dict[type, list[tuple[str, str | None]]]:
    """``FREE_TEXT`` grouped by model: ``{Interaction: [("notes", REDACTED), ...], ...}``."""
    by_model: dict[type, list[tuple[str, str | None]]] = {}
    for model, column, replacement in FREE_TEXT:
        by_model.setdefault(model, []).append((column, replacement))
    return by_model


def holds_free_text(model, columns: list[tuple[str, str | None]]):
    """SQL: the row still has text in one of ``columns`` (already-redacted rows are not counted)."""
    return or_(
        *(
            getattr(model, c).is_not(None) & (getattr(model, c) != REDACTED)
            if r
            else getattr(model, c).is_not(None)
            for c, r in columns
        )
    )


def redact_free_text(session: Session, where: Callable[[type], Any]) -> dict[str, int]:
    """Apply ``FREE_TEXT`` to the rows ``where(model)`` selects in each table; rows changed per table."""
    changed: dict[str, int] = {}
    for model, columns in free_text_by_table().items():
        values = {
            c: literal(None, getattr(model, c).type)
            if r is None
            else case((getattr(model, c).is_(None), None), else_=literal(r, getattr(model, c).type))
            for c, r in columns
        }
        result = session.execute(
            update(model)
            .where(where(model), holds_free_text(model, columns))
            .values(values)
            .execution_options(synchronize_session=False)
        )
        changed[model.__tablename__] = result.rowcount
    return changed
