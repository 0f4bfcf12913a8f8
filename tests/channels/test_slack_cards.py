"""The Slack cards for the dashboard and the 360's retention and care lines (block shapes and words)."""
from __future__ import annotations

import json

from channels.slack.blocks import card_blocks, card_kind
from tools.dashboard import AgentActivityOut, DashboardResult


def activity(name: str, **kw) -> AgentActivityOut:
    base = dict(user_id=1, name=name, contacts_logged=0, calls_logged=0, follow_ups_due=0,
                follow_ups_overdue=0, follow_ups_lapsed=0, carts_recovered=0, value_recovered=0.0)
    return AgentActivityOut(**{**base, **kw})


def test_dashboard_card():
    card = DashboardResult(
        text="", since="2026-11-14", until="2026-11-20", customers=2000,
        by_type={"new": 500, "repeat": 900, "vip": 100, "inactive": 500},
        by_lifecycle={"lead": 100, "loyal": 300}, by_temperature={"hot": 120, "warm": 600, "cold": 1280},
        lifetime_value_total=12_345_678, lifetime_value_average=6500, buyers=1900, currency="BDT",
        team=[activity("Rina Akter", contacts_logged=12, calls_logged=8, follow_ups_due=5,
                       follow_ups_overdue=2, carts_recovered=1, value_recovered=5500)],
        totals=activity("team", contacts_logged=12, calls_logged=8),
    ).model_dump(mode="json")
    assert card_kind(card) == "dashboard"
    blocks = card_blocks(card)
    text = json.dumps(blocks)
    assert blocks[0]["type"] == "header" and "2026-11-14 to 2026-11-20" in text
    assert "hot 120" in text and "BDT 12,345,678" in text
    assert "*Rina Akter*: 12 contacts (8 calls) · 5 follow-ups due (2 overdue) · 1 carts recovered (BDT 5,500)" \
        in blocks[-1]["text"]["text"]


def customer_card(level: str) -> dict:
    return {
        "profile": {"id": 7, "name": "Rahim Uddin", "city": "Dhaka"}, "metrics": {"lifetime_value": 9000},
        "currency": "BDT", "temperature": "cold", "lifecycle_stage": "inactive",
        "churn": {"probability": 0.7, "level": level, "drivers": ["no purchase for 143 days"],
                  "suggestions": ["call with a welcome-back offer"]},
        "loyalty": {"points_balance": 1200, "tier": "gold"}, "tickets": {"open_count": 1},
        "preferences": {"consent": {"whatsapp": True, "sms": False, "email": None},
                        "quiet_hours_start": "21:00:00", "quiet_hours_end": "09:00:00"},
    }


def test_360_card_shows_care_lines_and_retention_when_churn_is_worth_it():
    text = json.dumps(card_blocks(customer_card("high")))
    assert "*Loyalty:* 1,200 points, gold" in text and "*Tickets:* 1 open" in text
    assert "*Consent:* whatsapp yes, sms no" in text and "*Quiet hours:* 21:00-09:00" in text
    assert "*Churn risk high:* no purchase for 143 days" in text and "call with a welcome-back offer" in text
    low = json.dumps(card_blocks(customer_card("low")))
    assert "Retention" not in low and "*Loyalty:*" in low
