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


def test_an_offer_with_products_is_not_called_an_offer_twice():
    card = {"date": "2026-11-20", "filters": {}, "entries": [
        entry(offer_type="cart_recovery", recommended_products=[{"name": "Blue Kettle"}]),
        entry(rank=2, customer_id=8, offer_type="service_call")]}
    topics = [json.loads(e["value"])["o"] for b in call_list_blocks(card) for e in b.get("elements", [])
              if e.get("action_id") == DRAFT_WHATSAPP]
    assert topics == ["cart recovery offer (Blue Kettle)", "service call"]


def test_entries_are_divided_and_the_header_date_reads_as_a_day():
    card = {"date": "2026-12-02", "filters": {}, "entries": [entry(), entry(rank=2, customer_id=8)]}
    blocks = call_list_blocks(card)
    assert blocks[0]["text"]["text"] == "Call list for Wed 02 Dec"
    assert [b["type"] for b in blocks] == ["header", "section", "actions", "divider", "section", "actions"]


def test_an_empty_app_home_says_it_once():
    from channels.slack.blocks import home_view

    view = home_view("Rina Akter", {"date": "2026-12-02", "entries": [], "text": "Nobody to call today."}, "URINA")
    texts = [json.dumps(b) for b in view["blocks"]]
    assert view["blocks"][0]["text"]["text"] == "Your calls for Wed 02 Dec"
    assert sum("None of your customers needs a call today." in t for t in texts) == 1
    assert not any("Nobody to call" in t for t in texts)


def test_a_channel_answer_masks_what_readers_see_and_leaves_button_values_whole():
    """A tool-call id is random hex: now and then its digits read like a phone number. The
    channel copy of a confirmation must hand Slack the id unchanged, or the requester's click no
    longer names the write that waits (seen as a write that never happens after Approve)."""
    from channels.slack.blocks import APPROVE, confirmation_blocks
    from channels.slack.privacy import for_channel

    pending = {"tool_call_id": "call_51e84266713f",
               "summary": "Log an interaction for Rahim Uddin (01712345678)"}
    blocks = confirmation_blocks(pending, "slack:T0001:C0001:1763600300.1", "URINA")
    _, shown, hidden = for_channel("", blocks, "BD")
    seen = json.dumps(shown, ensure_ascii=False)
    assert hidden and "01712345678" not in seen and "•••678" in seen
    [approve] = [e for b in shown for e in b.get("elements", []) if e.get("action_id") == APPROVE]
    assert json.loads(approve["value"])["p"] == "call_51e84266713f"
