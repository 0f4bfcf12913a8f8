"""The business day, in Python and in SQL: the business time zone, local midnights, whole days
since a moment (one at a time or vectorized over epoch seconds), and ``epoch_seconds``, the SQL
expression both engines compute the same way. Every module that counts days uses these."""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

DAYS_HORIZON = 3660  # "days since" is counted up to ten years; older is older


def business_tz(tz: ZoneInfo | str | None = None) -> ZoneInfo:
    """The given zone, or the business zone from settings."""
    if tz is None:
        from domain.settings import get_settings

        return get_settings().tz
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The aware instant a business day starts (midnight, local)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def days_since(moment: datetime | None, today: date, tz: ZoneInfo) -> int | None:
    """Whole calendar days in the business zone from ``moment`` to ``today`` (0 if later)."""
    if moment is None:
        return None
    return max((today - moment.astimezone(tz).date()).days, 0)


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a stored UTC datetime, as a float (NULL stays NULL)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC.
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS REAL)"


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS DOUBLE PRECISION)"


NEVER = -1.0e18  # stands for NULL timestamps while the columns travel as floats


@lru_cache(maxsize=8)
def _day_starts(today: date, tz: ZoneInfo) -> np.ndarray:
    """Epoch seconds of the local midnights of the last DAYS_HORIZON days, oldest first."""
    return np.array([day_start(today - timedelta(days=k), tz).timestamp()
                     for k in range(DAYS_HORIZON, -1, -1)])


def days_since_array(epochs: np.ndarray, today: date, tz: ZoneInfo) -> np.ndarray:
    """Vectorized ``days_since`` for epoch seconds (NEVER -> NaN), exact across DST changes:
    count the local midnights between each moment and today."""
    starts = _day_starts(today, tz)
    passed = np.searchsorted(starts, epochs, side="right")  # midnights at or before the moment
    days = (DAYS_HORIZON + 1 - passed).astype(float)
    days[epochs <= NEVER] = math.nan
    return days
