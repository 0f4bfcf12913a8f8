"""The final-database check: two databases compared table by table, ids and creation times masked."""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine, select

from domain.models import Base

# Bookkeeping that legitimately differs between the run and the replay (request ids, keys, stamps).
SKIPPED_TABLES = {"audit_log", "idempotency_records", "alembic_version", "clv_models"}
MASKED_COLUMNS = {"id", "created_at", "updated_at", "idempotency_key"}


def snapshot(engine: Engine) -> dict[str, Counter]:
    """Each table as a multiset of rows, with primary ids and creation timestamps masked."""
    state: dict[str, Counter] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in MASKED_COLUMNS]
            rows = conn.execute(select(*columns)).all()
            state[table.name] = Counter(tuple((c.name, _plain(v)) for c, v in zip(columns, row)) for row in rows)
    return state


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return float(value)
    return value


def diff(actual: dict[str, Counter], expected: dict[str, Counter], limit: int = 20) -> list[dict[str, Any]]:
    """Rows present on one side only: ``{"table", "side": "actual only" | "expected only", "row"}``."""
    out: list[dict[str, Any]] = []
    for table in sorted(set(actual) | set(expected)):
        a, e = actual.get(table, Counter()), expected.get(table, Counter())
        for side, rows in (("actual only", a - e), ("expected only", e - a)):
            for row, count in rows.items():
                for _ in range(count):
                    if len(out) < limit:
                        out.append({"table": table, "side": side, "row": dict(row)})
    return out
