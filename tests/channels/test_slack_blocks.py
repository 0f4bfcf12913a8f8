"""The call-list card's buttons carry what a draft needs: a family event names whose it is."""
from __future__ import annotations

import json

from channels.slack.blocks import DRAFT_WHATSAPP, call_list_blocks


def entry(**fields) -> dict:
    base = {"rank": 1, "customer_id": 7, "name": "Sadia Islam", "score": 8.1, "temperature": "hot",
            "reasons": ["husband Masud's birthday tomorrow"], "recommended_products": [],
            "best_call_time": {"window": "11:00-13:00"}, "next_action": "Call Sadia"}
    base.update(fields)
    return base


def draft_topic(card: dict) -> str:
    for block in call_list_blocks(card):
        for element in block.get("elements", []):
            if element.get("action_id") == DRAFT_WHATSAPP:
                return json.loads(element["value"])["o"]
    raise AssertionError("no Draft WhatsApp button")


def test_draft_button_of_a_family_birthday_names_the_family_member():
    card = {"date": "2026-11-20", "filters": {}, "entries": [
        entry(offer_type="birthday_offer", offer_reason="husband Masud's birthday tomorrow (turns 41)")]}
    assert draft_topic(card) == "birthday offer: husband Masud's birthday tomorrow (turns 41)"


def test_draft_button_of_other_offers_is_the_offer():
    card = {"date": "2026-11-20", "filters": {}, "entries": [
        entry(offer_type="cart_recovery", offer_reason="open add to cart worth BDT 4,500")]}
    assert draft_topic(card) == "cart recovery offer"
