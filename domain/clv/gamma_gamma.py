"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-value Curves"),
fitted by maximum likelihood on repeat customers' mean transaction value.

Each transaction value is Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers; the mean of a
customer's x transactions, z, then has the density (Fader & Hardie's note on the model, eq. 4)

    f(z | p, q, gamma; x) = G(px+q) / (G(px) G(q)) * gamma^q z^(px-1) x^(px) / (gamma + x z)^(px+q)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from domain.clv.bgnbd import minimize_negative_ll
from domain.errors import DomainError
from domain.lazy import lazy_module

special = lazy_module("scipy.special")  # imported when used


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters and the maximised log-likelihood (``ll``)."""

    p: float
    q: float
    gamma: float
    ll: float = float("nan")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def population_mean_spend(self) -> float:
        """E[transaction value] for a customer we know nothing about: p gamma / (q - 1)."""
        if self.q <= 1:
            raise DomainError("the fitted spend distribution has no mean (q <= 1); use more data")
        return self.p * self.gamma / (self.q - 1)


def _spend_arrays(
    frequency, monetary_value, *, zero_ok: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    frequency, monetary_value = np.broadcast_arrays(
        np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    )
    if not (np.all(np.isfinite(frequency)) and np.all(np.isfinite(monetary_value))):
        raise DomainError("frequency and monetary value must be finite numbers")
    if np.any(frequency < 0) or np.any(frequency != np.round(frequency)):
        raise DomainError(
            "frequency (repeat purchases) must be a whole number >= 0", field="frequency"
        )
    if np.any(monetary_value < 0):
        raise DomainError("monetary value must not be negative", field="monetary_value")
    # The likelihood needs a positive mean spend; a prediction can start from a zero one.
    if not zero_ok and np.any((frequency > 0) & (monetary_value == 0)):
        raise DomainError(
            "monetary value must be > 0 for customers with repeat purchases; leave out the ones "
            "whose repeat purchases were all free",
            field="monetary_value",
        )
    return frequency, monetary_value


def gamma_gamma_log_likelihood(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend of ``frequency`` (> 0) transactions."""
    x, z = _spend_arrays(frequency, monetary_value)
    return _log_likelihood(params.p, params.q, params.gamma, x, z)


def _log_likelihood(p, q, gamma, x, z) -> np.ndarray:
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(z)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * z)
    )


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters; customers with frequency 0 are left out."""
    frequency, monetary_value = _spend_arrays(frequency, monetary_value)
    repeat = frequency > 0
    x, z = frequency[repeat], monetary_value[repeat]
    if x.size < 2:
        raise DomainError(
            "Gamma-Gamma needs at least 2 customers with repeat purchases", field="frequency"
        )
    if np.ptp(z) == 0:
        raise DomainError(
            "Gamma-Gamma needs some variation in spend; every customer spends the same"
        )

    def negative_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        px, spent = p * x, np.log(gamma + x * z)
        value = -float(np.sum(_log_likelihood(p, q, gamma, x, z)))
        d_p = x * (special.digamma(px + q) - special.digamma(px) + np.log(z) + np.log(x) - spent)
        d_q = special.digamma(px + q) - special.digamma(q) + np.log(gamma) - spent
        d_gamma = q / gamma - (px + q) / (gamma + x * z)
        grad = np.array([d_p.sum(), d_q.sum(), d_gamma.sum()]) * np.array([p, q, gamma])
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(3)
        return value, -grad

    # Method-of-moments-flavoured start: gamma sets the spend scale, p and q near 1-5.
    start = np.log([2.0, 3.0, float(np.mean(z))])
    result = minimize_negative_ll(negative_ll, start, x.size)
    p, q, gamma = np.exp(result.x)
    return GammaGammaParams(p=float(p), q=float(q), gamma=float(gamma), ll=float(-result.fun))


def expected_spend(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """E[value of a transaction | x, mean spend], eq. (5): a weighted mean of the population mean
    p gamma / (q - 1) and the customer's own mean, with weight px / (px + q - 1) on the latter.
    Customers with frequency 0 get the population mean."""
    x, z = _spend_arrays(frequency, monetary_value, zero_ok=True)
    population = params.population_mean_spend
    weight = params.p * x / (params.p * x + params.q - 1)
    return (1 - weight) * population + weight * np.where(x > 0, z, 0.0)
