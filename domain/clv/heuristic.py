"""The documented CLV fallback for shops with too little repeat history to fit BG/NBD (fewer than
``MIN_REPEAT_CUSTOMERS`` repeat customers) or when the fit fails.

With the shop-wide repeat rate R = sum(x) / sum(T) (repeat purchases per week of tenure), per
customer (x, t_x, T in weeks):
  rate        = (x + R * 26) / (T + 26)  own repeat rate, shrunk toward R as if watched 26 more
                                         weeks at R (the gamma-Poisson posterior mean)
  P(alive)    = exp(-rate * (T - t_x))   the chance a buyer at that rate stays silent this long
  purchases   = P(alive) * rate * horizon
  order value = the customer's own mean transaction value
"""

from __future__ import annotations

import numpy as np

from domain.clv.summary import PurchaseSummary

MIN_REPEAT_CUSTOMERS = 50
PRIOR_WEEKS = 26.0


def heuristic_params(summary: PurchaseSummary) -> dict[str, float]:
    """The shop-wide figures the fallback needs, stored with the model."""
    total_weeks = float(summary.T.sum())
    return {
        "repeat_rate_per_week": float(summary.x.sum()) / total_weeks if total_weeks > 0 else 0.0,
        "mean_order_value": float(summary.mean_value.mean()) if summary.x.size else 0.0,
        "prior_weeks": PRIOR_WEEKS,
    }


def heuristic_predict(
    params: dict[str, float],
    summary: PurchaseSummary,
    purchases_weeks: float,
    value_weeks: float,
    discount_rate: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P(alive), purchases over ``purchases_weeks``, order value and value over ``value_weeks``."""
    shop_rate, prior = params["repeat_rate_per_week"], params["prior_weeks"]
    x, t_x, T = summary.x, summary.t_x, summary.T
    rate = (x + shop_rate * prior) / (T + prior)
    alive = np.exp(-rate * (T - t_x))
    purchases = alive * rate * purchases_weeks
    spend = summary.mean_value
    # Purchases spread evenly over the horizon; each of 12 slices is discounted to its end.
    ends = np.linspace(0.0, value_weeks, 13)[1:]
    discount = np.mean((1.0 + discount_rate) ** (-ends / (365.25 / 7)))
    value = alive * rate * value_weeks * spend * discount
    return alive, purchases, spend, value
