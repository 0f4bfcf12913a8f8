"""BG/NBD, the beta-geometric / negative binomial purchase model (Fader, Hardie & Lee 2005,
"Counting Your Customers the Easy Way"), fitted by maximum likelihood.

A customer is summarised by ``x`` (repeat transactions), ``t_x`` (time of the last one, measured
from the first purchase) and ``T`` (time from the first purchase to the end of observation), all in
one time unit (the paper uses weeks). While alive a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha); after each purchase they drop out with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from domain.clv.summary import as_summary_arrays
from domain.errors import DomainError
from domain.lazy import lazy_module

optimize, special = lazy_module("scipy.optimize"), lazy_module("scipy.special")  # imported when used


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters and the maximised log-likelihood (``ll``; ``nan`` if not fitted)."""

    r: float
    alpha: float
    a: float
    b: float
    ll: float = float("nan")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def bgnbd_log_likelihood(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood, equation (6) of the paper, computed in logs for stability.

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / G(r)
        * [ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ]
    """
    x, t_x, T = as_summary_arrays(x, t_x, T)
    return _log_likelihood(params.r, params.alpha, params.a, params.b, x, t_x, T)


def _terms(r, alpha, a, b, x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The log-likelihood's parts: the shared factor, "still alive at T" and "dropped out right
    after the last purchase" (-inf for x = 0)."""
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + special.betaln(a, b + x) - special.betaln(a, b)
    alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # b + x - 1 > 0 whenever x >= 1; the guard only keeps the x = 0 branch free of log(negative).
    dropped = np.where(
        repeat,
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return common, alive, dropped


def _log_likelihood(r, alpha, a, b, x, t_x, T) -> np.ndarray:
    common, alive, dropped = _terms(r, alpha, a, b, x, t_x, T)
    return common + np.logaddexp(alive, dropped)


def fit_bgnbd(x, t_x, T) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters for customers summarised by (x, t_x, T).

    Raises DomainError on malformed input or when the optimiser does not converge.
    """
    x, t_x, T = as_summary_arrays(x, t_x, T)
    if x.size < 2:
        raise DomainError("BG/NBD needs at least 2 customers to fit", field="x")
    if not np.any(x > 0):
        raise DomainError("BG/NBD needs at least one customer with a repeat purchase", field="x")
    # Customers with identical summaries share one likelihood term: fit on the unique rows.
    rows, weights = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    ux, ut_x, uT = rows[:, 0], rows[:, 1], rows[:, 2]
    b_shift = np.where(ux > 0, ux - 1, 0.0)

    def negative_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(log_params)
        common, alive, dropped = _terms(r, alpha, a, b, ux, ut_x, uT)
        either = np.logaddexp(alive, dropped)
        # w: the share of each customer's likelihood from "dropped out after the last purchase".
        w = np.exp(dropped - either)
        d_r = (
            special.digamma(r + ux)
            - special.digamma(r)
            + np.log(alpha)
            - (1 - w) * np.log(alpha + uT)
            - w * np.log(alpha + ut_x)
        )
        d_alpha = r / alpha - (r + ux) * ((1 - w) / (alpha + uT) + w / (alpha + ut_x))
        d_a = special.digamma(a + b) - special.digamma(a + b + ux) + w / a
        d_b = (
            special.digamma(b + ux) - special.digamma(a + b + ux) - special.digamma(b) + special.digamma(a + b) - w / (b + b_shift)
        )
        grad = np.array([np.sum(weights * g) for g in (d_r, d_alpha, d_a, d_b)]) * np.array(
            [r, alpha, a, b]
        )
        # Elementwise sums, not BLAS dot: threaded OpenBLAS is 100x slower on a busy machine.
        value = -float(np.sum(weights * (common + either)))
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(4)
        return value, -grad

    # Start from a sensible rate scale (alpha ~ mean T) so the optimiser need not find it.
    start = np.log([1.0, max(float(np.mean(uT)), 1e-3), 1.0, 1.0])
    result = minimize_negative_ll(negative_ll, start, x.size)
    r, alpha, a, b = np.exp(result.x)
    return BgNbdParams(
        r=float(r), alpha=float(alpha), a=float(a), b=float(b), ll=float(-result.fun)
    )


def minimize_negative_ll(objective, start: np.ndarray, customers: int):
    """L-BFGS-B with the analytic gradient, on log-parameters (positivity for free).

    ``objective`` returns (value, gradient). It is minimised per customer (divided by
    ``customers``) so the tolerances mean the same for 50 customers as for 100,000. Bounds keep
    exp() finite when the data push a parameter to its limit (no drop-out at all sends BG/NBD's a
    to 0 and b to infinity); if the line search stalls there, Nelder-Mead finishes the job.
    """

    def per_customer(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = objective(log_params)
        return value / customers, grad / customers

    bounds = [(-20.0, 20.0)] * len(start)
    result = optimize.minimize(
        per_customer,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": 2000},
    )
    if not result.success and np.isfinite(result.fun) and result.fun < 1e299:
        result = optimize.minimize(
            lambda p: per_customer(p)[0],
            result.x,
            method="Nelder-Mead",
            bounds=bounds,
            options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 5000},
        )
    if not np.isfinite(result.fun) or result.fun >= 1e299:
        raise DomainError("the likelihood could not be maximised: the data carry too little signal")
    if not result.success:
        raise DomainError(f"the likelihood maximisation did not converge: {result.message}")
    result.fun *= customers
    return result


def _log_odds_dropped(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """log(a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)); -inf for x = 0 (no drop before buying)."""
    repeat = x > 0
    b_term = np.where(repeat, params.b + x - 1, 1.0)
    value = (
        np.log(params.a)
        - np.log(b_term)
        + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + t_x))
    )
    return np.where(repeat, value, -np.inf)


def p_alive(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T): 1 for x = 0, since BG/NBD drop-out only follows a purchase."""
    x, t_x, T = as_summary_arrays(x, t_x, T)
    return special.expit(-_log_odds_dropped(params, x, t_x, T))


def expected_purchases(params: BgNbdParams, t, x, t_x, T) -> np.ndarray:
    """E[number of purchases in (T, T + t] | x, t_x, T], equation (10) of the paper.

    Uses Euler's transformation 2F1(r+x, b+x; c; z) = (1-z)^(a-1-r-x) 2F1(a+b-1-r, a-1; c; z),
    which keeps the hypergeometric term bounded for customers with many purchases.
    """
    x, t_x, T = as_summary_arrays(x, t_x, T)
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise DomainError("the prediction horizon t must not be negative", field="t")
    r, alpha, b = params.r, params.alpha, params.b
    # The formula has a removable singularity at a = 1; step off it by a negligible amount.
    a = params.a if abs(params.a - 1.0) > 1e-7 else 1.0 + 1e-7
    c = a + b + x - 1
    z = t / (alpha + T + t)
    tail = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, c, z)
    alive = special.expit(-_log_odds_dropped(params, x, t_x, T))
    return alive * (c / (a - 1)) * (1 - tail)
