"""The Slack card for one alert: what happened, the facts, and one-click actions.

The buttons are the customer buttons every c360 card has (``channels.slack.blocks``): the listeners
in ``channels/slack/listeners/actions.py`` answer them in the DM the card was posted to.
"""
from __future__ import annotations

from typing import Any

from channels.slack.blocks import DRAFT_WHATSAPP, LOG_CALL, OPEN_360, button, clip, context, esc, section

ICONS = {"vip": "⭐", "champions": "🏆", "churn_high": "⚠️", "sla_breached": "⏰", "cart_abandoned": "🛒",
         "low_csat": "👎"}
# What "Draft reply" asks the assistant to write about, per kind.
TOPICS = {"vip": "a thank-you for being one of our best customers", "champions": "a thank-you for their loyalty",
          "churn_high": "a win-back offer", "sla_breached": "an update on their support ticket",
          "cart_abandoned": "the cart they left", "low_csat": "an apology for their support experience"}
FACT_LABELS = {
    "total_spent": "Lifetime spend", "order_count": "Orders", "vip_spend": "VIP from", "rfm": "RFM",
    "recency_days": "Days since last order", "probability": "Churn risk", "ticket_id": "Ticket",
    "priority": "Priority", "hours_overdue": "Hours overdue", "cart_value": "Cart value", "stage": "Stage",
    "product": "Product", "csat": "CSAT", "threshold": "Threshold",
}


def _fact(key: str, value: Any, currency: str) -> str | None:
    if value is None or isinstance(value, (list, dict)) or key not in FACT_LABELS:
        return None
    if key in ("total_spent", "vip_spend", "cart_value") or (key == "threshold" and value > 5):
        value = f"{float(value):,.0f} {currency}"
    elif key == "probability":
        value = f"{float(value):.0%}"
    elif key == "ticket_id":
        value = f"#{value}"
    elif key == "csat":
        value = f"{value}/5"
    elif key == "stage":
        value = str(value).replace("_", " ")
    return f"*{FACT_LABELS[key]}*\n{esc(value)}"


def alert_text(document: dict[str, Any]) -> str:
    """The notification's plain text (what a phone's lock screen shows)."""
    name = document["customer"].get("name") or f"customer #{document['customer']['id']}"
    return f"{document['title']}: {name}: {document['reason']}"


def alert_blocks(document: dict[str, Any], currency: str = "BDT") -> list[dict[str, Any]]:
    customer = document["customer"]
    name = customer.get("name") or f"customer #{customer['id']}"
    kind = document["kind"]
    header = {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                         "text": clip(f"{ICONS.get(kind, '🔔')} {document['title']}: {name}", 150)}}
    about = ""
    if document.get("ticket"):
        about = f"\n>_{esc(document['ticket']['subject'])}_ (now {esc(document['ticket']['status'])})"
    blocks: list[dict[str, Any]] = [header, section(f"*{esc(name)}* {esc(document['reason'])}{about}")]
    facts = [f for f in (_fact(k, v, currency) for k, v in (document.get("facts") or {}).items()) if f]
    if customer.get("customer_type"):
        facts.append(f"*Type · temperature*\n{esc(customer['customer_type'])} · {esc(customer.get('temperature'))}")
    if facts:
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 1900)} for f in facts[:10]]})
    suggestions = (document.get("facts") or {}).get("suggestions") or []
    if suggestions:
        blocks.append(section("*What to do:* " + esc("; ".join(suggestions))))
    value = {"c": customer["id"], "n": name[:80], "o": TOPICS.get(kind, "a friendly check-in")}
    blocks.append({"type": "actions", "block_id": f"c360_alert_{document['id']}", "elements": [
        button("Open 360", OPEN_360, value, style="primary"), button("Log call", LOG_CALL, value),
        button("Draft reply", DRAFT_WHATSAPP, value)]})
    owner = f" · assigned to {esc(customer['assigned_to'])}" if customer.get("assigned_to") else " · unassigned"
    blocks.append(context(f"c360 alert · {document['day']}{owner} · `c360 alerts prefs` to change what you get"))
    return blocks
