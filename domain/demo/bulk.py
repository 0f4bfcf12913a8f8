"""Bulk writing for generated data: column arrays in, batched core ``executemany`` out.

Columns travel as numpy arrays (or lists) until the batch is written; timestamp columns as
epoch seconds (NaN = NULL), turned into aware UTC datetimes only for the rows of one batch, so
memory stays flat at 100,000 customers.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence

import numpy as np
from sqlalchemy import Connection, Table, func, inspect, select, text

from domain.models import Base
from domain.models.base import UTCDateTime

BATCH = 10_000
Columns = Mapping[str, "np.ndarray | Sequence"]


def _as_list(values, is_instant: bool) -> list:
    if is_instant:
        array = np.asarray(values, dtype=float)
        return [None if v != v else datetime.fromtimestamp(v, timezone.utc) for v in array.tolist()]
    if isinstance(values, np.ndarray):
        return values.tolist()  # numpy scalars are not accepted by every driver
    return list(values)


def insert_columns(
    conn: Connection,
    table: Table,
    columns: Columns,
    *,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Insert rows given as equal-length columns, in batches; returns the row count."""
    names = list(columns)
    if not names:
        return 0
    total = len(columns[names[0]])
    instants = {n for n in names if isinstance(table.c[n].type, UTCDateTime)}
    for start in range(0, total, BATCH):
        end = min(start + BATCH, total)
        lists = [_as_list(columns[n][start:end], n in instants) for n in names]
        conn.execute(table.insert(), [dict(zip(names, row)) for row in zip(*lists)])
        if on_rows:
            on_rows(end - start)
    return total


def next_ids(conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """The first free id of each table (ids are assigned here, so child rows can point at parents)."""
    return {t.name: int(conn.scalar(select(func.coalesce(func.max(t.c.id), 0))) or 0) + 1 for t in tables}


def sync_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL: move each id sequence past the ids written explicitly."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'
            )
        )


# The team, its logins and the catalogue survive a rebuild; everything about customers goes.
KEEP_ON_RESET = {"users", "api_tokens", "categories", "products", "reply_templates", "knowledge_snippets"}


def wipe(conn: Connection) -> None:
    """Delete every customer and everything about them, keeping the team and the catalogue (``--replace``)."""
    present = set(inspect(conn).get_table_names())
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in present and table.name not in KEEP_ON_RESET:
            conn.execute(table.delete())
