"""Filling templates and laying drafts out per channel (pure), plus one drafted world per backend."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from domain.consent import ContactFacts
from domain.embeddings import LEXICAL
from domain.errors import DomainError
from domain.messaging import SmsInfo, compose, gsm_friendly, shorten, sms_info, sms_segments
from domain.replies import addressed_name, build_draft, fill, money, pick_product
from domain.reply_facts import CustomerFacts, ProductFacts, first_name
from domain.retrieval import ReplyIndex, chroma_client
from tests.factories import make_customer, make_dropoff, make_interaction, make_order, make_product


def customer_facts(**kw) -> CustomerFacts:
    base = dict(customer_id=1, full_name="Md. Rahim Uddin", first_name="Rahim", gender="male", language=None,
                mentioned_product=None, dropoff_product=None, cart_value=None, order_ref=None, order_date=None,
                order_product=None, viewed_product=None, points=None, tier=None, contact=ContactFacts())
    base.update(kw)
    return CustomerFacts(**base)


# --- SMS --------------------------------------------------------------------------------------

def test_gsm7_segments():
    assert sms_segments("") == 0
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2  # 153 per concatenated segment
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3
    assert sms_info("€" * 80) == SmsInfo("gsm7", 160, 1)  # extension characters cost two septets
    assert sms_segments("[" * 81) == 2


def test_unicode_segments_for_bangla():
    assert sms_info("ধ" * 70).encoding == "ucs2"
    assert sms_segments("ধ" * 70) == 1
    assert sms_segments("ধ" * 71) == 2  # 67 per concatenated segment
    assert sms_segments("ধ" * 134) == 2
    assert sms_segments("ধ" * 135) == 3
    assert sms_segments("a" * 69 + "😊") == 2  # one emoji is two UTF-16 units and forces UCS-2


def test_typographic_characters_are_spelled_in_gsm7():
    assert sms_info(gsm_friendly("Rahim\u2019s order \u2013 *Blue Kettle*\u2026")).encoding == "gsm7"


def test_sms_is_cut_by_sentences_to_two_segments_keeping_the_signature():
    body = " ".join(f"Sentence number {i} says something useful." for i in range(20))
    message = compose("sms", greeting="Hi Rahim!", body=body, closing="", signature="Dhaka Home Store",
                      subject=None, addressed=False)
    assert message.sms.segments <= 2
    assert message.body.startswith("Hi Rahim! Sentence number 0") and message.body.endswith("- Dhaka Home Store")
    assert message.body.count("Sentence") >= 6


def test_shorten_falls_back_to_words():
    assert shorten("one two three four", lambda t: len(t) <= 12) == "one two..."


# --- layouts ----------------------------------------------------------------------------------

def test_whatsapp_one_sentence_a_line_and_email_subject():
    wa = compose("whatsapp", greeting="Hi Rahim!", body="First. Second!", closing="Thanks! - Shop",
                 signature="Shop", subject="S", addressed=False)
    assert wa.body.split("\n") == ["Hi Rahim!", "First.", "Second!", "Thanks! - Shop"]
    email = compose("email", greeting="Dear Mr. Rahim,", body="Body.", closing="Kind regards,\nShop",
                    signature="Shop", subject="Your order", addressed=False)
    assert email.subject == "Your order" and email.body == "Dear Mr. Rahim,\n\nBody.\n\nKind regards,\nShop"


def test_social_posts_are_short():
    post = compose("instagram", greeting="Hi Rahim!", body="One. Two. Three. Four.", closing="x",
                   signature="Shop", subject=None, addressed=False)
    assert post.body == "Hi Rahim! One. Two."


# --- filling ----------------------------------------------------------------------------------

def test_fill_drops_optional_parts_with_unknown_values():
    text, unknown = fill("You left [{product} ]in your cart[ ({cart_value})]. {mystery}",
                         {"product": "Blue Kettle", "cart_value": None}, {})
    assert text == "You left Blue Kettle in your cart." and unknown == {"mystery"}


def test_fill_uses_fallbacks_and_never_re_expands_values():
    text, _ = fill("Your {order} of {product}.", {"product": "{order}"}, {"order": "order"})
    assert text == "Your order of {order}."


def test_names_and_honorifics():
    assert first_name("Md. Rahim Uddin") == "Rahim" and first_name("Mst. Rina Akter") == "Rina"
    f = customer_facts()
    assert addressed_name(f, "en", "friendly") == "Rahim"
    assert addressed_name(f, "en", "formal") == "Mr. Rahim"
    assert addressed_name(customer_facts(gender="female", first_name="Rina"), "en", "apologetic") == "Ms. Rina"
    assert addressed_name(customer_facts(gender=None), "en", "formal") == "Md. Rahim Uddin"
    assert addressed_name(f, "bn", "friendly") == "Rahim ভাই"


def test_money():
    assert money(Decimal("5500.00"), "en") == "BDT 5,500"
    assert money(Decimal("99.50"), "en") == "BDT 99.50"
    assert money(Decimal("5500"), "bn") == "৫,৫০০ টাকা"
    assert money(None, "en") is None


def test_product_choice_follows_the_topic():
    kettle, iron, fan = ProductFacts("Blue Kettle", None), ProductFacts("Iron", None), ProductFacts("Fan", None)
    f = customer_facts(dropoff_product=kettle, order_product=iron, viewed_product=fan, dropoff_stage="add_to_cart")
    assert pick_product(f, "abandoned cart reminder").name == "Blue Kettle"
    assert pick_product(f, "delivery status, where is my order").name == "Iron"
    # a cart reminder names what is in the cart, even when the message names another product
    assert pick_product(customer_facts(mentioned_product=fan, dropoff_product=kettle, dropoff_stage="add_to_cart"),
                        "cart").name == "Blue Kettle"
    assert pick_product(customer_facts(mentioned_product=fan, dropoff_product=kettle), "cart") is None  # no cart
    assert pick_product(customer_facts(mentioned_product=fan, dropoff_product=kettle), "price").name == "Fan"


# --- one world, drafted -----------------------------------------------------------------------

@pytest.fixture
def lexical_index() -> ReplyIndex:
    return ReplyIndex(chroma_client(None), LEXICAL, collection=f"t_{uuid.uuid4().hex[:8]}")


def test_build_draft_for_a_cart_reminder(session, clock, lexical_index):
    rahim = make_customer(session, "Md. Rahim Uddin", phone="01712345678", gender="male",
                          quiet_hours_start=time(21), quiet_hours_end=time(9))
    kettle = make_product(session, "Blue Kettle", price=4500)
    make_dropoff(session, rahim, at=date(2026, 11, 18), cart_value=5500, product=kettle)
    make_order(session, rahim, at=date(2026, 10, 1), amount=1200, items=["Tea Cups"])
    make_interaction(session, rahim, at=datetime(2026, 11, 20, 8, 0), type="whatsapp", direction="inbound")
    draft = build_draft(session, lexical_index, rahim, channel="whatsapp", topic="abandoned cart reminder",
                        now=clock.now(), business_tz=clock.tz, business_name="Dhaka Home Store")
    assert draft.verdict.allowed and not draft.verdict.template_required
    assert draft.template.name == "cart_reminder"  # free-form first inside the 24-hour window
    assert draft.body.split("\n") == [
        "Hi Rahim!", "You left *Blue Kettle* in your cart (BDT 5,500).",
        "It is still available, and we are happy to help you complete the order.", "Thanks! - Dhaka Home Store"]


def test_build_draft_rejects_bad_tone_and_empty_topic(session, clock, lexical_index):
    rahim = make_customer(session, "Rahim Uddin", phone="01712345678")
    with pytest.raises(DomainError, match="unknown tone"):
        build_draft(session, lexical_index, rahim, channel="sms", topic="x", tone="angry",
                    now=clock.now(), business_tz=clock.tz)
    with pytest.raises(DomainError, match="topic is empty"):
        build_draft(session, lexical_index, rahim, channel="sms", topic="  ", now=clock.now(), business_tz=clock.tz)
