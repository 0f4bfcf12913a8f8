"""The call-priority points, as pure functions over numpy arrays (one element per customer).

Factors and their ceilings follow the order of importance the sales team gave:

  follow_up   50  a follow-up due today; 46 when 1-7 days overdue, 42 up to the lapse window
                  (setting follow_up_lapse_days, default 30)
  lapsed_follow_up 8  a follow-up overdue by more than the lapse window: no longer "due", a
                  weaker reason to call (nobody answered it; maybe the moment has passed)
  event       25  own or family birthday / anniversary today; 23 tomorrow, then 21, 20 .. 16 seven
                  days ahead; a family member's event half a point less; +2 per extra event (max +4)
  temperature 15  hot; warm 5; cold 0
  dropoff     14  open drop-offs: 14 x recency (1.0 within a day .. 0.15 up to 90 days, then 0)
                  x value (0.5 + 0.5 x min(1, open value / (2 x top RFM monetary threshold)))
  at_risk     12  RFM At Risk and M=5; 10 with M=4; 7 otherwise (frequent buyers gone quiet)
  not_interested -25  said "not interested" within negative_outcome_days (default 30), with no
                  positive contact or order since
  complaint  -15  a complaint within negative_outcome_days, not yet followed by a resolved or
                  other positive contact or an order (the offer becomes a service call)

A single higher factor outranks any single lower one; several strong lower reasons together may
outrank one higher reason, which is what a caller would want. The 1-10 score is a monotone
squash of the points, ``1 + 9 * (1 - exp(-points / 45))``, so the ranking by points and by
score agree (ties in the rounded score are broken by points, lifetime value, then id).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from domain.rfm import DEFAULT_MONETARY_THRESHOLDS, FREQUENCY_MIN, RECENCY_DAYS

FACTORS = (
    "follow_up", "lapsed_follow_up", "event", "temperature", "dropoff", "at_risk",
    "not_interested", "complaint",
)
SCORE_SCALE = 45.0

FOLLOW_UP_DUE_TODAY = 50.0
FOLLOW_UP_OVERDUE_WEEK = 46.0
FOLLOW_UP_OVERDUE_OLDER = 42.0
FOLLOW_UP_LAPSED = 8.0
DEFAULT_LAPSE_DAYS = 30
NOT_INTERESTED_POINTS = -25.0
COMPLAINT_POINTS = -15.0
EVENT_POINTS = np.array([25, 23, 21, 20, 19, 18, 17, 16], dtype=float)  # by days until
EVENT_WINDOW_DAYS = len(EVENT_POINTS) - 1
FAMILY_EVENT_PENALTY = 0.5
EXTRA_EVENT_POINTS = 2.0
EXTRA_EVENT_CAP = 4.0
TEMPERATURE_POINTS = {"hot": 15.0, "warm": 5.0, "cold": 0.0}
DROPOFF_MAX = 14.0
DROPOFF_RECENCY = ((1, 1.0), (3, 0.85), (7, 0.7), (14, 0.5), (30, 0.3), (90, 0.15))
AT_RISK_POINTS = {5: 12.0, 4: 10.0}
AT_RISK_OTHER = 7.0


def follow_up_points(days_overdue: np.ndarray, lapse_days: int = DEFAULT_LAPSE_DAYS) -> np.ndarray:
    """``days_overdue``: today minus the due date in days (0 due today, <0 later, NaN none)."""
    d = np.asarray(days_overdue, dtype=float)
    out = np.zeros(d.shape)
    out[d == 0] = FOLLOW_UP_DUE_TODAY
    out[(d >= 1) & (d <= 7)] = FOLLOW_UP_OVERDUE_WEEK
    out[(d > 7) & (d <= lapse_days)] = FOLLOW_UP_OVERDUE_OLDER
    return out


def lapsed_points(days_overdue: np.ndarray, lapse_days: int = DEFAULT_LAPSE_DAYS) -> np.ndarray:
    """A follow-up overdue by more than ``lapse_days``: a weak reason, no longer a due one."""
    d = np.asarray(days_overdue, dtype=float)
    return np.where(d > lapse_days, FOLLOW_UP_LAPSED, 0.0)


def recent_negative(
    days_since: np.ndarray, superseded: np.ndarray, window_days: int
) -> np.ndarray:
    """Whether a negative outcome ``days_since`` days ago still counts (NaN: never had one)."""
    d = np.asarray(days_since, dtype=float)
    with np.errstate(invalid="ignore"):
        return (d >= 0) & (d <= window_days) & ~np.asarray(superseded, dtype=bool)


def negative_points(active: np.ndarray, points: float) -> np.ndarray:
    return np.where(np.asarray(active, dtype=bool), points, 0.0)


def event_points(
    days_until: np.ndarray, is_family: np.ndarray, extra_events: np.ndarray
) -> np.ndarray:
    """Points of the nearest event (NaN = none in the window) plus a bonus for further events."""
    d = np.asarray(days_until, dtype=float)
    has = ~np.isnan(d) & (d >= 0) & (d <= EVENT_WINDOW_DAYS)
    out = np.zeros(d.shape)
    idx = np.where(has, d, 0).astype(int)
    out[has] = EVENT_POINTS[idx[has]] - np.where(
        np.asarray(is_family, bool)[has], FAMILY_EVENT_PENALTY, 0
    )
    bonus = np.minimum(np.asarray(extra_events, dtype=float) * EXTRA_EVENT_POINTS, EXTRA_EVENT_CAP)
    out[has] += bonus[has]
    return out


def temperature_points(temperature: np.ndarray) -> np.ndarray:
    t = np.asarray(temperature, dtype=object)
    out = np.zeros(t.shape)
    for name, points in TEMPERATURE_POINTS.items():
        out[t == name] = points
    return out


def dropoff_points(
    open_count: np.ndarray, open_value: np.ndarray, days_since_last: np.ndarray, big_value: float
) -> np.ndarray:
    """Open drop-offs weigh by how fresh the latest is and how much is in the carts."""
    count = np.nan_to_num(np.asarray(open_count, dtype=float))
    value = np.nan_to_num(np.asarray(open_value, dtype=float))
    days = np.asarray(days_since_last, dtype=float)
    recency = np.zeros(days.shape)
    assigned = np.zeros(days.shape, dtype=bool)
    for limit, weight in DROPOFF_RECENCY:
        hit = ~assigned & (days <= limit)  # NaN compares False: no drop-off, no points
        recency[hit] = weight
        assigned |= hit
    value_factor = 0.5 + 0.5 * np.minimum(1.0, value / big_value)
    return np.where(count > 0, DROPOFF_MAX * recency * value_factor, 0.0)


def rfm_arrays(
    days_since_last_order: np.ndarray,
    order_count: np.ndarray,
    total_spent: np.ndarray,
    thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised R, F, M with the thresholds of ``domain.rfm`` (0 for customers who never
    bought)."""
    days = np.asarray(days_since_last_order, dtype=float)
    count = np.nan_to_num(np.asarray(order_count, dtype=float))
    spent = np.nan_to_num(np.asarray(total_spent, dtype=float))
    # np.select picks the first true condition, matching the scalar rules' order
    r = np.select([days <= lim for lim in RECENCY_DAYS], [5, 4, 3, 2], default=1)
    f = np.select([count >= lim for lim in FREQUENCY_MIN], [5, 4, 3, 2], default=1)
    m = np.select([spent >= lim for lim in thresholds], [5, 4, 3, 2], default=1)
    bought = (count > 0) & ~np.isnan(days)
    return np.where(bought, r, 0), np.where(bought, f, 0), np.where(bought, m, 0)


def at_risk_points(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """At Risk as ``domain.rfm.segment_for`` has it: R<=2 and (F>=3 or M>=4), among buyers."""
    r, f, m = (np.asarray(a) for a in (r, f, m))
    at_risk = (r >= 1) & (r <= 2) & ((f >= 3) | (m >= 4))
    points = np.select(
        [m == 5, m == 4], [AT_RISK_POINTS[5], AT_RISK_POINTS[4]], default=AT_RISK_OTHER
    )
    return np.where(at_risk, points, 0.0)


def score_from_points(points: np.ndarray) -> np.ndarray:
    """1-10, strictly increasing in the points, 1 for none (or a net negative)."""
    p = np.maximum(np.asarray(points, dtype=float), 0.0)
    return 1.0 + 9.0 * (1.0 - np.exp(-p / SCORE_SCALE))


def rank_order(points: np.ndarray, value: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Indices best first: points desc, then lifetime value desc, then id asc (deterministic)."""
    return np.lexsort(
        (np.asarray(ids), -np.nan_to_num(np.asarray(value, dtype=float)), -np.asarray(points))
    )
