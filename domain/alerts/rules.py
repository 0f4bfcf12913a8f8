"""What counts as an alert: the kinds, their labels, and the thresholds (from settings)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.models.alerts import ALERT_KINDS
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS

LABELS = {
    "vip": "Became a VIP",
    "champions": "Joined the Champions",
    "churn_high": "Churn risk is now high",
    "sla_breached": "Ticket past its SLA",
    "cart_abandoned": "Big cart abandoned",
    "low_csat": "Low CSAT rating",
}
# The seed systems' workflow trigger names, for webhook consumers that already speak them.
TRIGGERS = {
    "vip": "customer.vip_detected",
    "champions": "customer.champions_joined",
    "churn_high": "customer.churn_risk_high",
    "sla_breached": "ticket.sla_breached",
    "cart_abandoned": "cart.abandoned_high_value",
    "low_csat": "csat.low_rating_received",
}
CART_STAGES = ("add_to_cart", "checkout_initiated", "payment_failed")  # a product view is no cart


@dataclass(frozen=True)
class AlertRules:
    """The thresholds and switches one evaluation uses."""

    kinds: frozenset[str] = frozenset(ALERT_KINDS)
    cart_value: float = 5000.0
    low_csat: int = 2
    monetary_thresholds: tuple[float, ...] = tuple(DEFAULT_MONETARY_THRESHOLDS)
    rfm_mode: str = "fixed"
    currency: str = "BDT"
    channel: str | None = None  # Slack channel for unassigned customers
    webhook_urls: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings, *, monetary_thresholds: Sequence[float] | None = None) -> AlertRules:
        return cls(
            kinds=settings.alert_kind_set, cart_value=float(settings.alert_cart_value),
            low_csat=int(settings.alert_low_csat),
            monetary_thresholds=tuple(monetary_thresholds or settings.rfm_monetary_thresholds),
            rfm_mode=settings.rfm_mode, currency=settings.currency, channel=settings.alert_channel or None,
            webhook_urls=settings.webhook_url_list,
        )
