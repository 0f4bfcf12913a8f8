"""CSV import of customers, orders and interactions: check every row first, then write all or nothing.

Rows are numbered as a spreadsheet shows them (the header is row 1). Empty cells mean "not given".
Re-importing a file changes nothing: customers are matched by external_key, then phone, then email;
orders by external_id (else customer + time + amount); interactions by external_id (else a key
derived from customer, time, type and notes). The column formats are in ``COLUMNS`` and docs/import.md.

``columns`` holds the formats and reads single cells, ``rows`` checks whole rows against the
database, ``write`` writes the checked records.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from domain import stats
from domain.clock import Clock
from domain.errors import DomainError
from domain.follow_ups import replay_follow_ups
from domain.importer.columns import (
    COLUMNS,
    ImportFailed,
    ImportResult,
    Progress,
    RowError,
    check_header,
)
from domain.importer.reading import read_table
from domain.importer.rows import RowChecker, read_rows
from domain.importer.write import WRITERS

__all__ = [
    "COLUMNS",
    "ImportFailed",
    "ImportResult",
    "Progress",
    "RowError",
    "import_csv",
    "read_rows",
]


def import_csv(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    clock: Clock,
    region: str = "BD",
    max_errors: int = 50,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Validate every row of the file, then write them in the caller's transaction (or raise ImportFailed)."""
    if kind not in COLUMNS:
        raise DomainError(
            f"unknown import kind {kind!r}; use one of: {', '.join(COLUMNS)}", field="kind"
        )
    header, rows, problems = read_table(path, kind)
    problems = problems or check_header(kind, header)
    if problems:
        raise ImportFailed(problems, len(problems))
    report = on_progress or (lambda step, done, total: None)
    checker = RowChecker(session, clock, region, rows, report)
    checked = getattr(checker, kind)()
    if checker.errors:
        raise ImportFailed(checker.errors[:max_errors], len(checker.errors))
    result = WRITERS[kind](session, checked, clock.now(), report)
    if result.customer_ids and kind == "interactions":
        # imported history opens, answers and replaces follow-ups by the same rules as logging
        replay_follow_ups(session, result.customer_ids, clock.tz)
    if result.customer_ids and kind != "customers":
        stats.refresh_stats(session, result.customer_ids, now=clock.now())
        stats.refresh_derived(session, clock.today(), result.customer_ids, tz=clock.tz)
    session.flush()
    return result
