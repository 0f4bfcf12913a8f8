"""Many small reads in one round trip: each statement's rows aggregated as JSON inside one SELECT.

A page such as the 360 view runs some thirty small indexed reads for one customer. Sent one by
one, each costs a round trip, PostgreSQL's parse and plan, and SQLAlchemy's per-statement work;
together they cost more than the reads themselves. ``prefetch`` sends them as one statement: every
read becomes a scalar subquery whose rows come back as one JSON array (``json_agg`` on
PostgreSQL, ``json_group_array`` on SQLite), decoded per column with the column's own SQLAlchemy
type, so the rows equal what executing the statement alone returns. ``Prefetched`` then answers
``execute``/``scalar``/``scalars`` for those statements from memory and passes anything else to
the real connection, so the code that reads the rows does not change.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Float, Numeric, Text, Time, TypeDecorator, cast, func, literal_column, select
from sqlalchemy.engine import Connection, IteratorResult
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy import bindparam
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.elements import BindParameter

_ORDER = "_one_trip_n"


class Read:
    """One statement and its parameters, to be read inside a ``prefetch``."""

    __slots__ = ("statement", "params")

    def __init__(self, statement: Select, params: dict[str, Any] | None = None) -> None:
        self.statement, self.params = statement, dict(params or {})


def _json_rows(statement: Select, dialect_name: str):
    """``statement``'s rows as one JSON array of arrays, each ending with the row's place in the
    statement's own order (a JSON aggregate does not promise to keep its input's order)."""
    order = statement._order_by_clauses  # noqa: SLF001: the statement's ORDER BY, reused for the row numbers
    numbered = statement.add_columns(func.row_number().over(order_by=order or None).label(_ORDER))
    sub = numbered.subquery()
    if dialect_name == "postgresql":
        agg = func.coalesce(func.json_agg(func.json_build_array(*sub.c)), literal_column("'[]'::json"))
        return cast(select(agg).select_from(sub).scalar_subquery(), Text)
    return select(func.json_group_array(func.json_array(*sub.c))).select_from(sub).scalar_subquery()


def _decoder(type_, dialect):
    """How to turn one JSON value back into what the column's type returns from a plain SELECT."""
    if dialect.name == "sqlite":
        # SQLite's JSON holds the stored value itself (text dates, 0/1 booleans): the type's own
        # result processor turns it into what a plain SELECT returns
        return type_.dialect_impl(dialect).result_processor(dialect, None)
    # PostgreSQL's JSON spells dates and times in ISO 8601 and numbers as JSON numbers (read
    # exactly: see ``_loads``); psycopg would have returned them as Python values
    base = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    if isinstance(base, Float):
        return lambda v: None if v is None else float(v)
    if isinstance(base, Numeric):
        return (lambda v: None if v is None else Decimal(v)) if base.asdecimal else (
            lambda v: None if v is None else float(v))
    process = type_.dialect_impl(dialect).result_processor(dialect, None)
    if isinstance(base, DateTime):
        wire = datetime.fromisoformat
    elif isinstance(base, Date):
        wire = date.fromisoformat
    elif isinstance(base, Time):
        wire = time.fromisoformat
    else:
        return process
    if process is None:
        return lambda v: None if v is None else wire(v)
    return lambda v: None if v is None else process(wire(v))


def _loads(raw, dialect_name: str) -> list:
    if raw is None:
        return []
    if dialect_name == "postgresql":
        # numbers as Decimal: exact for numeric columns, and float(Decimal(text)) is float(text)
        return json.loads(raw, parse_float=Decimal)
    return json.loads(raw)


class Prefetched:
    """A connection whose prefetched reads are answered from memory (the rest go to ``conn``)."""

    def __init__(self, conn: Connection, results: dict[int, tuple[dict, list[str], list[tuple]]]) -> None:
        self._conn, self._results = conn, results

    @property
    def dialect(self):
        return self._conn.dialect

    def execute(self, statement, params: dict[str, Any] | None = None, **kw):
        found = self._results.get(id(statement))
        if found is None or found[0] != dict(params or {}) or kw:
            return self._conn.execute(statement, params, **kw)
        _, keys, rows = found
        return IteratorResult(SimpleResultMetaData(keys), iter(rows))

    def scalar(self, statement, params: dict[str, Any] | None = None, **kw):
        return self.execute(statement, params, **kw).scalar()

    def scalars(self, statement, params: dict[str, Any] | None = None, **kw):
        return self.execute(statement, params, **kw).scalars()


def prefetch(conn: Connection | Prefetched, reads: list[Read]) -> Prefetched:
    """Run ``reads`` in one statement; the returned connection answers them without the database.

    Each read's named parameters are renamed apart inside the one statement, so two reads may give
    one name (``since``, ``cid``) different values.
    """
    base = conn._conn if isinstance(conn, Prefetched) else conn  # noqa: SLF001
    known = dict(conn._results) if isinstance(conn, Prefetched) else {}  # noqa: SLF001
    if not reads:
        return Prefetched(base, known)
    params = {f"t{i}_{name}": value for i, read in enumerate(reads) for name, value in read.params.items()}
    dialect = base.dialect
    shape = tuple((r.statement, tuple(sorted(r.params))) for r in reads)
    combined = _combined(shape, dialect.name)
    values = base.execute(combined, params).one()
    for read, raw in zip(reads, values, strict=True):
        keys, decoders = _columns(read.statement, dialect)
        rows = _loads(raw, dialect.name)
        rows.sort(key=lambda r: r[-1] if r[-1] is not None else 0)
        decoded = [tuple(v if d is None or v is None else d(v) for d, v in zip(decoders, r)) for r in rows]
        known[id(read.statement)] = (read.params, keys, decoded)
    return Prefetched(base, known)


_COMBINED: dict[tuple, Select] = {}
_COLUMNS: dict[tuple, tuple] = {}


def _columns(statement: Select, dialect) -> tuple[list[str], list]:
    """The statement's column keys and per-column decoders, worked out once per statement."""
    key = (id(statement), dialect.name)
    found = _COLUMNS.get(key)
    if found is None or found[2] is not statement:  # the statement is kept: its id is not reused
        if len(_COLUMNS) > 1024:
            _COLUMNS.clear()
        columns = list(statement.selected_columns)
        found = _COLUMNS[key] = ([c.key for c in columns], [_decoder(c.type, dialect) for c in columns], statement)
    return found[0], found[1]


def _renamed(statement: Select, i: int, names: tuple[str, ...]) -> Select:
    """``statement`` with its named parameters ``names`` called ``t<i>_<name>``."""
    if not names:
        return statement

    def replace(element):
        if isinstance(element, BindParameter) and element.key in names:
            return bindparam(f"t{i}_{element.key}", type_=element.type, expanding=element.expanding)
        return None

    return visitors.replacement_traverse(statement, {}, replace)


def _combined(shape: tuple[tuple[Select, tuple[str, ...]], ...], dialect_name: str) -> Select:
    """The one SELECT of these statements, built once per set (building costs more than running)."""
    key = (dialect_name, *((id(s), names) for s, names in shape))
    found = _COMBINED.get(key)
    if found is not None and not all(a is b for a, b in zip(found[1], (s for s, _ in shape))):
        found = None  # another statement took a dead one's id
    if found is None:
        combined = select(*(_json_rows(_renamed(s, i, names), dialect_name).label(f"r{i}")
                            for i, (s, names) in enumerate(shape)))
        if len(_COMBINED) > 256:  # shapes are few; a leak guard, not a cache policy
            _COMBINED.clear()
        found = _COMBINED[key] = (combined, tuple(s for s, _ in shape))
    return found[0]
