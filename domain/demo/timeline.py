"""The demo's sense of time: instants as epoch seconds in numpy arrays, days in the business zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from domain.clock import Clock

DAY = 86400.0
HISTORY_DAYS = 730  # two years of history ending today


@dataclass(frozen=True)
class Timeline:
    now_s: float
    today: date
    offset_s: float  # the business zone's UTC offset today (demo data ignores DST shifts)

    @classmethod
    def from_clock(cls, clock: Clock) -> "Timeline":
        now = clock.now()
        return cls(now.timestamp(), now.date(), now.utcoffset().total_seconds())

    @property
    def start_s(self) -> float:
        return self.local_midnight(self.today - timedelta(days=HISTORY_DAYS))

    def local_midnight(self, day: date) -> float:
        return (day - date(1970, 1, 1)).days * DAY - self.offset_s

    def day_index(self, t: np.ndarray) -> np.ndarray:
        """Local calendar day of each instant, as whole days since 1970-01-01."""
        return np.floor((np.asarray(t, float) + self.offset_s) / DAY)

    def at_time_of_day(self, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """The same local day as ``t``, at ``seconds`` after local midnight, never later than now."""
        moment = self.day_index(t) * DAY - self.offset_s + seconds
        return np.minimum(moment, self.now_s - 60)

    def days_ago(self, days: np.ndarray | float) -> np.ndarray:
        return self.now_s - np.asarray(days, float) * DAY

    def today_at(self, seconds: np.ndarray) -> np.ndarray:
        """Instants later today (local), e.g. follow-ups due today."""
        midnight = self.day_index(np.array([self.now_s]))[0] * DAY - self.offset_s
        return midnight + np.asarray(seconds, float)

    def dates(self, t: np.ndarray) -> np.ndarray:
        """Local calendar dates (numpy datetime64[D]) of instants."""
        return self.day_index(t).astype("int64").astype("datetime64[D]")


def hours(rng: np.random.Generator, n: int, weights: dict[int, float]) -> np.ndarray:
    """Seconds after midnight, the hour drawn from ``weights`` and the minute uniformly."""
    hour_list = np.array(list(weights), dtype=float)
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(hour_list, n, p=p / p.sum()) * 3600 + rng.integers(0, 3600, n)


SHOPPING_HOURS = {
    9: 2,
    10: 4,
    11: 5,
    12: 5,
    13: 4,
    14: 4,
    15: 4,
    16: 5,
    17: 6,
    18: 7,
    19: 8,
    20: 10,
    21: 11,
    22: 9,
    23: 5,
    0: 2,
}
OFFICE_HOURS = {10: 8, 11: 11, 12: 10, 13: 5, 14: 7, 15: 10, 16: 11, 17: 10, 18: 8, 19: 6, 20: 4}
