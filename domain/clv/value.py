"""Customer lifetime value from the two models: expected purchases (BG/NBD) times expected spend
(Gamma-Gamma), period by period over a horizon, optionally discounted."""

from __future__ import annotations

import numpy as np

from domain.clv.bgnbd import BgNbdParams, expected_purchases
from domain.clv.gamma_gamma import GammaGammaParams, expected_spend
from domain.clv.summary import as_summary_arrays
from domain.errors import DomainError

WEEKS_PER_YEAR = 365.25 / 7


def clv(
    bgnbd: BgNbdParams,
    gamma_gamma: GammaGammaParams,
    x,
    t_x,
    T,
    monetary_value,
    horizon: float,
    discount_rate: float = 0.0,
    steps: int = 12,
    units_per_year: float = WEEKS_PER_YEAR,
) -> np.ndarray:
    """Expected (discounted) revenue per customer over ``horizon`` time units after T.

    The horizon is cut into ``steps`` equal periods; each period's expected purchases are valued at
    the customer's expected spend, discounted at the annual ``discount_rate`` to the period's end.
    With no discount this equals expected_purchases(horizon) * expected_spend.
    """
    if horizon < 0:
        raise DomainError("the CLV horizon must not be negative", field="horizon")
    if discount_rate < 0:
        raise DomainError(
            "the discount rate must be >= 0 (0.1 means 10% a year)", field="discount_rate"
        )
    if steps < 1:
        raise DomainError("steps must be at least 1", field="steps")
    x, t_x, T = as_summary_arrays(x, t_x, T)
    spend = expected_spend(gamma_gamma, x, monetary_value)
    ends = np.linspace(0.0, horizon, steps + 1)
    # every period end at once: one (steps + 1) x customers evaluation (a 360 view asks for one
    # customer, where thirteen separate calls cost more than the arithmetic)
    cumulative = expected_purchases(bgnbd, ends[:, None], x, t_x, T).reshape(steps + 1, x.size)
    per_period = np.diff(cumulative, axis=0)
    discount = (1.0 + discount_rate) ** (-ends[1:] / units_per_year)
    return spend * np.sum(discount[:, None] * per_period, axis=0)
