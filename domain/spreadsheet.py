"""CSV files that are safe to open in a spreadsheet: no cell runs as a formula.

Spreadsheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after a tab or a
carriage return, and in their full-width forms) as a formula, so a customer named
``=HYPERLINK(...)`` or ``+cmd|...`` would run code on the machine of whoever opens the export.
``safe_cell`` prefixes such text with a single quote (OWASP's advice: the spreadsheet then shows
the text as typed); plain numbers written as text (``+8801712345678``, ``-1200.50``) are left as
they are, since they cannot call anything. Every CSV the product writes goes through
``write_csv`` / ``safe_row``.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d\s.,()/-]*")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs as a formula (non-text values unchanged)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """A header line and one line per row, every cell made safe; returns the number of rows."""
    # RFC 4180 line ends: a carriage return inside a cell is then quoted too (with "\n" it is not)
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(safe_row(row))
        n += 1
    return n
