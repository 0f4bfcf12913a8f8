"""Per-customer purchase summaries (x, t_x, T): checking them, computing them from transactions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.errors import DomainError


def as_summary_arrays(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float arrays of equal shape, checked: x whole and >= 0, 0 <= t_x <= T, t_x = 0 when x = 0."""
    x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, T)))
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t_x)) and np.all(np.isfinite(T))):
        raise DomainError("x, t_x and T must be finite numbers")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise DomainError("x (repeat purchases) must be a whole number >= 0", field="x")
    if np.any(t_x < 0):
        raise DomainError("t_x (time of the last repeat purchase) must be >= 0", field="t_x")
    if np.any(t_x > T + 1e-9):
        raise DomainError(
            "t_x must not exceed T (the last purchase falls inside the window)", field="t_x"
        )
    if np.any((x == 0) & (t_x > 0)):
        raise DomainError("t_x must be 0 for a customer with no repeat purchase", field="t_x")
    return x, t_x, T


@dataclass(frozen=True)
class PurchaseSummary:
    """One row per customer, in ``customer_ids`` order; times in the unit chosen by the caller.

    ``monetary`` is the mean value of the repeat transactions (0 when x = 0), the convention the
    Gamma-Gamma model is fitted on; ``mean_value`` is the mean over all transactions.
    """

    customer_ids: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    mean_value: np.ndarray


def summarise_transactions(
    customer_ids, days, values, end_day: int, days_per_unit: float = 7.0
) -> PurchaseSummary:
    """Collapse transactions to one per customer per day, then summarise per customer (vectorized).

    ``days`` are integer day numbers (e.g. ordinals); transactions after ``end_day`` are ignored.
    The first purchase day starts the customer's clock and is not a repeat purchase.
    """
    customer_ids = np.asarray(customer_ids, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    keep = days <= end_day
    customer_ids, days, values = customer_ids[keep], days[keep], values[keep]
    empty = np.array([], dtype=float)
    if customer_ids.size == 0:
        return PurchaseSummary(np.array([], dtype=np.int64), empty, empty, empty, empty, empty)

    # One transaction per customer per day: sum that day's values.
    order = np.lexsort((days, customer_ids))
    customer_ids, days, values = customer_ids[order], days[order], values[order]
    new_day = np.ones(customer_ids.size, dtype=bool)
    new_day[1:] = (customer_ids[1:] != customer_ids[:-1]) | (days[1:] != days[:-1])
    starts = np.flatnonzero(new_day)
    tx_customer, tx_day = customer_ids[starts], days[starts]
    tx_value = np.add.reduceat(values, starts)

    # Per customer: first and last transaction day, count and value sums.
    first_of_customer = np.ones(tx_customer.size, dtype=bool)
    first_of_customer[1:] = tx_customer[1:] != tx_customer[:-1]
    cstarts = np.flatnonzero(first_of_customer)
    cends = np.append(cstarts[1:], tx_customer.size) - 1
    count = cends - cstarts + 1
    total = np.add.reduceat(tx_value, cstarts)
    first_day, last_day = tx_day[cstarts], tx_day[cends]
    x = (count - 1).astype(float)
    repeat_total = total - tx_value[cstarts]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, repeat_total / np.maximum(x, 1), 0.0)
    return PurchaseSummary(
        customer_ids=tx_customer[cstarts],
        x=x,
        t_x=(last_day - first_day) / days_per_unit,
        T=(end_day - first_day) / days_per_unit,
        monetary=monetary,
        mean_value=total / count,
    )


def count_transactions(
    customer_ids, days, start_day: int, end_day: int, for_customers
) -> np.ndarray:
    """Distinct purchase days per customer in [start_day, end_day], in ``for_customers`` order."""
    customer_ids = np.asarray(customer_ids, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    inside = (days >= start_day) & (days <= end_day)
    pairs = np.unique(np.column_stack([customer_ids[inside], days[inside]]), axis=0)
    ids, counts = np.unique(pairs[:, 0], return_counts=True)
    for_customers = np.asarray(for_customers, dtype=np.int64)
    result = np.zeros(for_customers.size)
    position = np.searchsorted(ids, for_customers)
    hit = position < ids.size
    hit[hit] = ids[position[hit]] == for_customers[hit]
    result[hit] = counts[position[hit]]
    return result
