"""Purchase timing and spend with the shape of real purchase histories (vectorized numpy).

Timing is a BG/NBD process (Fader, Hardie & Lee 2005): while alive, a customer buys as a Poisson
process whose rate varies across customers as a gamma distribution; after every purchase they
drop out with a probability that varies as a beta distribution. The shape parameters are the
published fit on CDNOW (r=0.243, a=0.793, b=2.426; rates in weeks); the rate scale is solved so
customers average the requested number of orders, and dropout is made four times rarer than
CDNOW's CD buyers, since a CRM's customers are the ones a shop keeps in touch with.
Spend per order is Gamma-Gamma (CDNOW fit p=6.25, q=3.74, gamma=15.44), scaled to taka.
"""

from __future__ import annotations

import numpy as np

BGNBD_R, BGNBD_ALPHA, BGNBD_A, BGNBD_B = 0.243, 4.414, 0.793, 2.426
DROPOUT_EASING = 4.0  # multiplies b: mean dropout per purchase falls from 0.25 to about 0.08
GG_P, GG_Q, GG_GAMMA = 6.25, 3.74, 15.44
CDNOW_MEAN_SPEND_USD = GG_P * GG_GAMMA / (GG_Q - 1)  # about 35 dollars per transaction
MAX_ORDERS = 150  # about three orders a week over two years: the busiest wholesale buyer


def simulate_counts(
    rng: np.random.Generator,
    exposure_weeks: np.ndarray,
    rate_scale: float,
    dropout_easing: float = DROPOUT_EASING,
) -> np.ndarray:
    """Repeat purchases per customer over ``exposure_weeks`` after their first purchase.

    ``rate_scale=1, dropout_easing=1`` is the CDNOW fit itself.
    """
    n = len(exposure_weeks)
    rates = rng.gamma(BGNBD_R, rate_scale / BGNBD_ALPHA, n)
    dropout = rng.beta(BGNBD_A, BGNBD_B * dropout_easing, n)
    events = np.minimum(rng.poisson(rates * exposure_weeks), MAX_ORDERS - 1)
    # BG/NBD: a customer can drop out only after a repeat purchase, so the last repeat is the
    # first "success" of a geometric draw (1, 2, ...), never before the first repeat.
    last_repeat = rng.geometric(np.clip(dropout, 1e-6, 1.0))
    return np.minimum(events, last_repeat)


def solve_rate_scale(mean_orders: float, horizon_weeks: float, seed: int = 7) -> float:
    """The rate scale that makes customers average ``mean_orders`` (first order included).

    Bisection on a fixed simulated panel, so the answer depends only on its arguments.
    """
    if mean_orders <= 1.0:
        return 1e-6
    low, high = 1e-3, 500.0
    for _ in range(40):
        middle = (low * high) ** 0.5
        rng = np.random.default_rng(seed)
        exposure = rng.uniform(0, horizon_weeks, 20_000)
        mean = 1 + simulate_counts(rng, exposure, middle).mean()
        low, high = (middle, high) if mean < mean_orders else (low, middle)
    return (low * high) ** 0.5


def order_times(
    rng: np.random.Generator,
    first_order_s: np.ndarray,
    now_s: float,
    mean_orders: float,
    horizon_weeks: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Order instants (epoch seconds) of every buyer: ``(buyer_index, ordered_at_s)``, sorted.

    Each buyer's first order is at ``first_order_s``; repeats follow the BG/NBD process up to now.
    """
    week = 7 * 86400.0
    exposure = np.maximum(now_s - first_order_s, 0) / week
    repeats = simulate_counts(rng, exposure, solve_rate_scale(mean_orders, horizon_weeks))
    # Given the number of Poisson events in [0, T], their times are uniform on it.
    owner = np.repeat(np.arange(len(first_order_s)), repeats)
    offsets = rng.uniform(0, 1, len(owner)) * exposure[owner] * week
    buyer = np.concatenate([np.arange(len(first_order_s)), owner])
    moment = np.concatenate([first_order_s, first_order_s[owner] + offsets])
    order = np.lexsort((moment, buyer))
    return buyer[order], moment[order]


def order_spend(rng: np.random.Generator, buyer: np.ndarray, n_buyers: int, mean_bdt: float) -> np.ndarray:
    """Gamma-Gamma spend per order in taka: each buyer has a typical spend; orders scatter around it."""
    nu = rng.gamma(GG_Q, 1 / GG_GAMMA, n_buyers)
    spend = rng.gamma(GG_P, 1 / nu[buyer])
    return spend * (mean_bdt / CDNOW_MEAN_SPEND_USD)
