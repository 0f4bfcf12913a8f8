"""Retention of free text: what people said or typed is redacted once it is older than a set number of days.

The setting ``C360_RETENTION_DAYS_NOTES`` (``Settings.retention_days_notes``) names the days;
``apply_retention`` redacts, in the tables of ``domain.privacy.FREE_TEXT``, every value whose
row is older than that (notes by ``created_at``, interactions, drop-offs, behaviour and consent
changes by ``occurred_at``, tickets by ``created_at``), and the free-text keys inside old audit
rows and stored idempotency results. Structure stays: amounts, dates, outcomes, who and when.

Idempotent: a redacted value is the marker (or NULL) and is not counted again, so a second run
reports zero everywhere. Erasure audit rows keep their reason: they are the record that an
erasure was done, and the reason holds no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError
from domain.models import (
    AuditLog,
    BehaviorEvent,
    ConsentEvent,
    Dropoff,
    IdempotencyRecord,
    Interaction,
    Note,
    SupportTicket,
)
from domain.privacy.erase import ERASE_ACTION
from domain.privacy.redaction import (
    FREE_TEXT_KEYS,
    REDACTED,
    free_text_by_table,
    holds_free_text,
    redact_free_text,
    redact_json,
)

# The moment that makes a row "old", per table.
AGE_COLUMN = {
    Note: Note.created_at,
    Interaction: Interaction.occurred_at,
    Dropoff: Dropoff.occurred_at,
    SupportTicket: SupportTicket.created_at,
    BehaviorEvent: BehaviorEvent.occurred_at,
    ConsentEvent: ConsentEvent.occurred_at,
}
JSON_CHUNK = 1000  # audit / idempotency rows read and rewritten per batch


@dataclass(frozen=True)
class RetentionReport:
    """Rows whose free text was (or, on a dry run, would be) redacted, per table."""

    days: int
    cutoff: datetime
    dry_run: bool
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.changed.values())

    def describe(self) -> str:
        verb = "would redact" if self.dry_run else "redacted"
        head = f"free text older than {self.days} days (before {self.cutoff:%Y-%m-%d %H:%M %Z}): {verb} {self.total} rows"
        return "\n".join([head] + [f"  {table}: {n}" for table, n in self.changed.items()])


def apply_retention(
    session: Session, *, days: int | None, now: datetime, dry_run: bool = False
) -> RetentionReport:
    """Redact free text older than ``days`` before ``now``; the caller commits. Counts per table."""
    if days is None:
        raise DomainError(
            "no retention period is set: set C360_RETENTION_DAYS_NOTES to the number of days to keep notes",
            field="retention_days_notes",
        )
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise DomainError(
            f"retention days must be a whole number of at least 1, not {days!r}",
            field="retention_days_notes",
        )
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    cutoff = now - timedelta(days=days)
    if dry_run:
        changed = {
            model.__tablename__: session.scalar(
                select(func.count())
                .select_from(model)
                .where(AGE_COLUMN[model] < cutoff, holds_free_text(model, columns))
            )
            for model, columns in free_text_by_table().items()
        }
    else:
        changed = redact_free_text(session, lambda model: AGE_COLUMN[model] < cutoff)
    changed["audit_log"] = _redact_json_rows(
        session,
        AuditLog,
        AuditLog.id,
        ("arguments", "before", "after"),
        AuditLog.occurred_at < cutoff,
        AuditLog.action != ERASE_ACTION,
        dry_run=dry_run,
    )
    changed["idempotency_records"] = _redact_json_rows(
        session,
        IdempotencyRecord,
        IdempotencyRecord.key,
        ("result",),
        IdempotencyRecord.created_at < cutoff,
        dry_run=dry_run,
    )
    session.flush()
    return RetentionReport(days, cutoff, dry_run, dict(sorted(changed.items())))


def old_free_text(session: Session, *, days: int, now: datetime) -> list[str]:
    """The free text ``apply_retention`` is about to redact (read first, so copies of it elsewhere,
    in stored conversations, can be found and removed too)."""
    cutoff = now - timedelta(days=days)
    texts: set[str] = set()
    for model, columns in free_text_by_table().items():
        selected = [getattr(model, c) for c, _ in columns]
        for row in session.execute(select(*selected).where(AGE_COLUMN[model] < cutoff,
                                                            holds_free_text(model, columns))):
            texts.update(v for v in row if isinstance(v, str) and v and v != REDACTED)
    return sorted(texts)


def _redact_json_rows(
    session: Session, model, key_column, columns: tuple[str, ...], *where, dry_run: bool
) -> int:
    """Redact ``FREE_TEXT_KEYS`` inside JSON columns of old rows, read and rewritten in batches."""
    key_name = key_column.key
    changed = 0
    last = None
    while True:
        query = select(key_column, *(getattr(model, c) for c in columns)).where(*where)
        if last is not None:
            query = query.where(key_column > last)
        rows = session.execute(query.order_by(key_column).limit(JSON_CHUNK)).all()
        if not rows:
            return changed
        last = rows[-1][0]
        updates = []
        for row in rows:
            parts = {c: redact_json(getattr(row, c), FREE_TEXT_KEYS) for c in columns}
            if any(flag for _, flag in parts.values()):
                updates.append({key_name: row[0], **{c: value for c, (value, _) in parts.items()}})
        changed += len(updates)
        if updates and not dry_run:
            session.execute(update(model), updates)
