"""Probabilistic customer lifetime value: BG/NBD (will they buy again, how often) and Gamma-Gamma
(how much per order), fitted by maximum likelihood; validated on CDNOW; applied to the business's
own completed orders."""

from domain.clv.bgnbd import (
    BgNbdParams,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    p_alive,
)
from domain.clv.business import (
    CustomerClv,
    clv_for_customers,
    customer_clv,
    fit_from_orders,
    latest_clv_model,
)
from domain.clv.gamma_gamma import (
    GammaGammaParams,
    expected_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from domain.clv.summary import PurchaseSummary, summarise_transactions
from domain.clv.value import clv

__all__ = [
    "BgNbdParams",
    "CustomerClv",
    "GammaGammaParams",
    "PurchaseSummary",
    "bgnbd_log_likelihood",
    "clv",
    "clv_for_customers",
    "customer_clv",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_from_orders",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "latest_clv_model",
    "p_alive",
    "summarise_transactions",
]
