"""Reading a CSV file into a header and rows, refusing what cannot be imported faithfully.

Every problem is a ``RowError`` (row 1 is the header) and stops the import before anything is
checked against the database: a file that is not UTF-8 (Latin-1, UTF-16: save it as "CSV UTF-8"),
a column named twice in the header, a row with more cells than the header has columns (those
cells would be lost), a cell longer than its column can hold, a control character (U+0000...,
which PostgreSQL refuses and SQLite would store).
"""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from sqlalchemy import String

from domain.importer.columns import RowError
from domain.models import Customer, Interaction, Order
from domain.plain_text import CONTROL

MAX_CELL = 10_000  # characters in any one cell (a long call transcript fits; a runaway quote does not)
MODELS = {"customers": Customer, "orders": Order, "interactions": Interaction}


def column_limits(kind: str) -> dict[str, int]:
    """The longest text each column of ``kind`` can store (the model's String length), else MAX_CELL."""
    model = MODELS.get(kind)
    limits: dict[str, int] = {}
    if model is not None:
        for column in model.__table__.columns:
            if isinstance(column.type, String) and column.type.length:
                limits[column.name] = min(column.type.length, MAX_CELL)
    return limits


def decode(raw: bytes) -> tuple[str | None, RowError | None]:
    """The file's text, or why it is not UTF-8 (with the row of the first bad byte)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(raw) > 1 and b"\x00" in raw[:200]
                                                                       and raw.count(b"\x00") > len(raw) // 4):
        return None, RowError(1, None, "the file is UTF-16, not UTF-8: save it as \"CSV UTF-8\" and import again")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        row = raw[:exc.start].count(b"\n") + 1
        return None, RowError(row, None, f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} in row {row}; "
                                         "Latin-1 or Windows-1252?): save it as \"CSV UTF-8\" and import again")


def read_table(path: str | Path, kind: str | None = None) -> tuple[list[str], list[dict[str, str]], list[RowError]]:
    """(header, rows with trimmed cells, problems); rows are dicts by header name."""
    text, problem = decode(Path(path).read_bytes())
    if problem is not None:
        return [], [], [problem]
    problems: list[RowError] = []
    limits = column_limits(kind) if kind else {}
    reader = csv.reader(io.StringIO(text, newline=""))
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, MAX_CELL * 4))
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        problems.append(RowError(reader.line_num, None, f"the file cannot be read as CSV here ({exc}): "
                                                        "check the quotes on this row"))
        return [], [], problems
    finally:
        csv.field_size_limit(old_limit)
    if not records:
        return [], [], problems
    header = [h.strip() for h in records[0]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.append(RowError(1, name, f"column {name} appears twice in the header; keep one"))
        seen.add(name)
    rows: list[dict[str, str]] = []
    for record in records[1:]:
        if not record:
            continue  # an empty line (numbered as the row checks number rows: the n-th row read is n + 1)
        number = len(rows) + 2
        if len(record) > len(header):
            extra = [c for c in record[len(header):] if c.strip()]
            if extra:
                problems.append(RowError(number, None, f"{len(record)} cells but the header has {len(header)} "
                                                       f"columns: the extra ones ({', '.join(extra[:3])[:80]}) "
                                                       "would be lost; remove them or add their columns"))
        row: dict[str, str] = {name: "" for name in header if name}
        for name, cell in zip(header, record):
            cell = cell.strip()
            if CONTROL.search(cell):
                problems.append(RowError(number, name or None, "contains a control character (such as U+0000); "
                                                               "remove it"))
            limit = limits.get(name, MAX_CELL)
            if len(cell) > limit:
                problems.append(RowError(number, name or None, f"{len(cell):,} characters; at most {limit:,} fit"))
            if name:
                row[name] = cell
        rows.append(row)
    return header, rows, problems
