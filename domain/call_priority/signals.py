"""The set-based reads behind the ranking: one row per eligible customer from ``customer_stats``.

Datetimes come back as epoch seconds computed in SQL, so 100,000 rows need no per-value
datetime parsing; the day arithmetic then runs in numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from domain.models import Customer, CustomerStats, Tag

SECONDS_PER_DAY = 86400.0


class epoch_seconds(FunctionElement):
    """Seconds since 1970-01-01 UTC of a UTCDateTime column (NULL stays NULL)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS DOUBLE PRECISION)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # UTCDateTime stores naive UTC text on SQLite, which julianday reads as UTC (and faster than
    # strftime('%s')); 2440587.5 is the Julian day of the Unix epoch
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@dataclass(frozen=True)
class DayCounter:
    """Turns epoch seconds into business-calendar day numbers relative to ``today``."""

    today: date
    tz: ZoneInfo

    @property
    def offset_seconds(self) -> float:
        # The offset at the start of today; a DST jump inside the counted span shifts a boundary
        # by an hour at most, which day-granular rules tolerate.
        start = datetime.combine(self.today, time(0), self.tz)
        return start.utcoffset().total_seconds()

    def days_ago(self, epochs: np.ndarray) -> np.ndarray:
        """Whole business days from each instant's local date to today (NaN stays NaN)."""
        local_day = np.floor(
            (np.asarray(epochs, dtype=float) + self.offset_seconds) / SECONDS_PER_DAY
        )
        epoch_day = (self.today - date(1970, 1, 1)).days
        return epoch_day - local_day


def fetch_tuples(session: Session, query) -> list[tuple]:
    """Run a Core select and return the driver's plain tuples.

    For 100,000 rows SQLAlchemy's Row objects cost about as much as the query itself; the
    statement is still built and compiled by SQLAlchemy for the session's dialect, only the
    result processing is skipped, so use it for numeric and text columns only.
    """
    conn = session.connection()
    # render_postcompile: an IN list becomes one bound parameter per value
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if compiled.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    else:
        params = dict(compiled.params)
    return conn.exec_driver_sql(compiled.string, params).cursor.fetchall()


TEMPERATURE_CODES = {"cold": 0, "warm": 1, "hot": 2}
TEMPERATURE_NAMES = np.array(["cold", "warm", "hot"], dtype=object)


@dataclass
class CustomerSignals:
    """Columns for the eligible customers, sorted by id."""

    ids: np.ndarray
    temperature: np.ndarray  # names
    total_spent: np.ndarray
    order_count: np.ndarray
    last_order_epoch: np.ndarray
    next_follow_up_epoch: np.ndarray
    open_dropoff_count: np.ndarray
    open_dropoff_value: np.ndarray
    last_dropoff_epoch: np.ndarray
    last_positive_epoch: np.ndarray
    last_not_interested_epoch: np.ndarray
    last_complaint_epoch: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, customer_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of the given ids that are eligible, their positions in these arrays)."""
        customer_ids = np.asarray(customer_ids, dtype=np.int64)
        if not len(self.ids):
            return np.zeros(len(customer_ids), dtype=bool), np.zeros(0, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, customer_ids), len(self.ids) - 1)
        found = self.ids[pos] == customer_ids
        return found, pos[found]


DO_NOT_CALL_TAG = "do-not-call"  # tags are stored lower-case, spaces as hyphens


def do_not_call_ids(among: Sequence[int] | None = None):
    """Customers tagged do-not-call (``tag_customer`` add ``do-not-call``): never on a call list.
    ``among``: only these customers' tags (an index lookup each, instead of every such tag)."""
    query = select(Tag.customer_id).where(Tag.tag == DO_NOT_CALL_TAG)
    return query.where(Tag.customer_id.in_(among)) if among is not None else query


def same_city(city: str):
    """Customers whose city is ``city``, ignoring case and surrounding spaces."""
    return func.lower(func.trim(Customer.city)) == city.strip().lower()


def eligibility(temperature: str | None, lifecycle_stage: str | None, assigned_to_id: int | None,
                city: str | None = None, among: Sequence[int] | None = None):
    """Who may appear: active, never erased, not do-not-call, and matching the filters (``city``:
    the customer's city, ignoring case; and among ``among`` when given)."""
    clauses = [
        Customer.status == "active",
        Customer.erased_at.is_(None),
        Customer.id.not_in(do_not_call_ids(among)),
    ]
    if among is not None:
        clauses.append(Customer.id.in_(among))
    if temperature is not None:
        clauses.append(Customer.temperature == temperature)
    if lifecycle_stage is not None:
        clauses.append(Customer.lifecycle_stage == lifecycle_stage)
    if assigned_to_id is not None:
        clauses.append(Customer.assigned_to_id == assigned_to_id)
    if city is not None:
        clauses.append(same_city(city))
    return and_(*clauses)


def load_signals(session: Session, where) -> CustomerSignals:
    """One query: eligible customers joined to their stored aggregates, as float columns."""
    s = CustomerStats
    temperature_code = case(
        *((Customer.temperature == name, code) for name, code in TEMPERATURE_CODES.items() if code),
        else_=0,
    )
    query = (
        select(
            Customer.id,
            temperature_code,
            cast(s.total_spent, Float),
            s.order_count,
            epoch_seconds(s.last_order_at),
            epoch_seconds(s.next_follow_up_at),
            s.open_dropoff_count,
            cast(s.open_dropoff_value, Float),
            epoch_seconds(s.last_dropoff_at),
            epoch_seconds(s.last_positive_at),
            epoch_seconds(s.last_not_interested_at),
            epoch_seconds(s.last_complaint_at),
        )
        .select_from(Customer)
        .outerjoin(s, s.customer_id == Customer.id)
        .where(where)
        .order_by(Customer.id)
    )
    rows = fetch_tuples(session, query)
    # all-numeric rows convert to one float matrix in a single numpy call (NULL becomes NaN)
    matrix = np.array(rows, dtype=float).reshape(len(rows), 12)
    return CustomerSignals(
        ids=matrix[:, 0].astype(np.int64),
        temperature=TEMPERATURE_NAMES[matrix[:, 1].astype(np.int64)],
        total_spent=matrix[:, 2],
        order_count=matrix[:, 3],
        last_order_epoch=matrix[:, 4],
        next_follow_up_epoch=matrix[:, 5],
        open_dropoff_count=matrix[:, 6],
        open_dropoff_value=matrix[:, 7],
        last_dropoff_epoch=matrix[:, 8],
        last_positive_epoch=matrix[:, 9],
        last_not_interested_epoch=matrix[:, 10],
        last_complaint_epoch=matrix[:, 11],
    )
