"""The offline model on the record writes (CONTRACT §1b): consent, notes, tags, follow-ups, deals.

One row per phrasing: message -> tool and the arguments that must be there (None = must be
absent), in English, Banglish and Bangla script; then the safety rows (no write on a guessed or
missing customer, quoted customer text never picks the tool, questions never write, every
record call is a write that waits for approval, missing values are asked).
Every call is also checked against the tool's own argument model, so what the model proposes
is what the tool accepts.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.offline import Catalogue, ConversationContext, CustomerRef, Message, OfflineModel, Reply, ToolCalls
from agent.offline.slots.money import amounts
from agent.offline.text import normalise, tokenize
from tools.add_note import AddNoteArgs
from tools.set_follow_up import SetFollowUpArgs
from tools.tag_customer import TagCustomerArgs
from tools.update_consent import UpdateConsentArgs
from tools.update_opportunity import UpdateOpportunityArgs

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Friday
CUSTOMERS = [(1, "Rahim Uddin", "Dhaka"), (2, "Fatema Begum", "Chattogram"), (3, "Nasrin Akter", "Sylhet"),
             (4, "Karim Traders", "Dhaka"), (5, "Sadia Islam", "Rajshahi")]
MODEL = OfflineModel(Catalogue(CUSTOMERS, ["Blue Kettle", "Air Fryer"], users=["Rina Akter"]))
ARGS = {"update_consent": UpdateConsentArgs, "add_note": AddNoteArgs, "tag_customer": TagCustomerArgs,
        "set_follow_up": SetFollowUpArgs, "update_opportunity": UpdateOpportunityArgs}
SADIA = ConversationContext(last_customer=CustomerRef(5, "Sadia Islam"))


def decide(text: str, ctx: ConversationContext | None = None):
    return MODEL.decide([Message("user", text)], ctx or ConversationContext(), NOW)


def calls_of(text: str, ctx: ConversationContext | None = None):
    decision = decide(text, ctx)
    assert isinstance(decision, ToolCalls), f"{text!r} -> {decision}"
    for call in decision.calls:
        if call.name in ARGS:
            ARGS[call.name](**call.arguments)  # the tool accepts what the model proposes
    return decision.calls


def check(text: str, tool: str, expected: dict, ctx: ConversationContext | None = None) -> dict:
    calls = calls_of(text, ctx)
    assert len(calls) == 1, calls
    name, args = calls[0].name, calls[0].arguments
    assert name == tool, f"{text!r} -> {name} {args}"
    for key, value in expected.items():
        if value is None:
            assert key not in args, f"{text!r}: {key} should be absent in {args}"
        elif callable(value):
            assert value(args.get(key)), f"{text!r}: {key}={args.get(key)!r}"
        else:
            assert args.get(key) == value, f"{text!r}: {key}={args.get(key)!r}, expected {value!r}"
    return args


def has(word: str):
    return lambda value: value is not None and word.lower() in str(value).lower()


CONSENT = [
    ("please stop sending Nasrin Akter emails", {"customer": 3, "channel": "email", "opted_in": False}),
    ("Sadia Islam unsubscribed from our SMS", {"customer": 5, "channel": "sms", "opted_in": False}),
    ("take Rahim Uddin off the WhatsApp list, he asked", {"customer": 1, "channel": "whatsapp", "opted_in": False,
                                                          "source": "customer_request"}),
    ("no more Instagram DMs to Fatema Begum", {"customer": 2, "channel": "instagram", "opted_in": False}),
    ("Nasrin Akter is fine with Facebook messages again", {"customer": 3, "channel": "facebook", "opted_in": True}),
    ("opt Sadia Islam in to email", {"customer": 5, "channel": "email", "opted_in": True, "source": None}),
    ("Rahim Uddin wants no marketing at all, too many messages",
     {"customer": 1, "channel": "all", "opted_in": False, "reason": has("too many messages")}),
    ("Sadia Islam is not ok with SMS anymore", {"customer": 5, "channel": "sms", "opted_in": False}),
    # Banglish
    ("Nasrin Akter ke email pathaben na", {"customer": 3, "channel": "email", "opted_in": False}),
    ("Sadia Islam er SMS bondho koro, se mana korse", {"customer": 5, "channel": "sms", "opted_in": False}),
    ("Fatema Begum ke abar whatsapp e message pathate paren", {"customer": 2, "channel": "whatsapp", "opted_in": True}),
    ("Rahim Uddin ke sob marketing bondho", {"customer": 1, "channel": "all", "opted_in": False}),
    # Bangla script
    ("নাসরিন আক্তারকে আর ইমেইল পাঠাবেন না", {"customer": 3, "channel": "email", "opted_in": False}),
    ("সাদিয়া ইসলামের এসএমএস বন্ধ করুন", {"customer": 5, "channel": "sms", "opted_in": False}),
    # the customer from the conversation
    ("she does not want WhatsApp offers anymore", {"customer": 5, "channel": "whatsapp", "opted_in": False}),
]


@pytest.mark.parametrize("text, expected", CONSENT)
def test_consent(text, expected):
    ctx = SADIA if expected["customer"] == 5 and not any(w in text for w in ("Sadia", "সাদিয়া")) else None
    check(text, "update_consent", expected, ctx)


def test_consent_on_two_channels_is_one_proposal_per_channel():
    calls = calls_of("opt Fatema Begum out of SMS and email")
    assert [(c.name, c.arguments["channel"], c.arguments["opted_in"]) for c in calls] == [
        ("update_consent", "sms", False), ("update_consent", "email", False)]


@pytest.mark.parametrize("text, missing", [
    ("Sadia Islam asked us to stop", "Which channel"),
    ("stop calling Nasrin Akter, she asked", "Calls have no consent setting"),
    ("update the SMS consent of Rahim Uddin", "opt in"),
])
def test_consent_asks_what_it_cannot_know(text, missing):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "clarify" and missing in decision.text


def test_the_channel_asked_for_completes_the_opt_out():
    first = decide("Nasrin Akter asked us to stop")
    assert first.context.pending.missing == "channel"
    answer = MODEL.decide([Message("user", "all of them")], first.context, NOW)
    assert isinstance(answer, ToolCalls)
    assert answer.calls[0].arguments == {**answer.calls[0].arguments, "customer": 3, "channel": "all",
                                         "opted_in": False}


NOTES = [
    ("add a note to Nasrin Akter: pays by card only", {"customer": 3, "text": "pays by card only",
                                                       "type": "internal", "pinned": None}),
    ("note on Rahim Uddin - wants the invoice in his company name",
     {"customer": 1, "text": has("invoice in his company name")}),
    ('leave a note for Sadia Islam "allergic to dust, no carpets"', {"customer": 5, "text": has("allergic to dust")}),
    ("important note for Fatema Begum: never call before 11 am", {"customer": 2, "pinned": True,
                                                                  "text": "never call before 11 am"}),
    ("add a complaint note to Rahim Uddin: the fryer lid was cracked", {"customer": 1, "type": "complaint"}),
    ("note for Nasrin Akter: she praised our delivery boy", {"customer": 3, "type": "compliment"}),
    ("reminder note on Sadia Islam: send the warranty card", {"customer": 5, "type": "reminder"}),
    ("Rahim Uddin prefers Sunday deliveries, note it", {"customer": 1, "text": has("prefers sunday deliveries")}),
    ("note that Fatema Begum likes pastel colours", {"customer": 2, "text": has("likes pastel colours")}),
    # Banglish
    ("Nasrin Akter er jonno note rakho: cash on delivery chay na", {"customer": 3, "text": has("cash on delivery")}),
    ("Sadia Islam er note likho: dupure phone dhore na, pin koro",
     {"customer": 5, "pinned": True, "text": lambda t: "dupure" in t and "pin" not in t}),
    # Bangla script
    ("রহিম উদ্দিনের জন্য নোট রাখুন: শুধু বিকাশে টাকা দেন", {"customer": 1, "text": has("বিকাশে")}),
    ("ফাতেমা বেগমের জন্য গুরুত্বপূর্ণ নোট: দুপুরে ফোন করবেন না", {"customer": 2, "pinned": True}),
]


@pytest.mark.parametrize("text, expected", NOTES)
def test_notes(text, expected):
    check(text, "add_note", expected)


def test_a_note_without_text_asks_for_it_and_takes_the_answer():
    first = decide("add a note to Sadia Islam")
    assert isinstance(first, Reply) and first.context.pending.missing == "text" and "note" in first.text
    answer = MODEL.decide([Message("user", "wants the red one in December")], first.context, NOW)
    assert isinstance(answer, ToolCalls) and answer.calls[0].name == "add_note"
    assert answer.calls[0].arguments["customer"] == 5 and "red one" in answer.calls[0].arguments["text"]


@pytest.mark.parametrize("text", [
    "note: called Rahim Uddin, no answer",
    "spoke with Nasrin Akter for 10 minutes, she wants a discount",
])
def test_a_contact_that_happened_is_logged_not_noted(text):
    assert calls_of_any(text)[0].name == "log_interaction"


TAGS = [
    ("tag Sadia Islam as wholesale", {"customer": 5, "add": ["wholesale"], "remove": None}),
    ("tag Nasrin Akter as Gift Buyer and VIP", {"customer": 3, "add": ["gift-buyer", "vip"]}),
    ("untag Rahim Uddin from eid-shopper", {"customer": 1, "remove": ["eid-shopper"], "add": None}),
    ("take the cold-lead tag off Fatema Begum", {"customer": 2, "remove": ["cold-lead"]}),
    ("label Karim Traders as bulk buyer, remove retail", {"customer": 4, "add": ["bulk-buyer"],
                                                         "remove": ["retail"]}),
    ("add the corporate tag to Sadia Islam", {"customer": 5, "add": ["corporate"]}),
    # Banglish
    ("Nasrin Akter ke loyal hisebe tag dao", {"customer": 3, "add": ["loyal"]}),
    ("Rahim Uddin er vip tag ta bad dao", {"customer": 1, "remove": ["vip"]}),
    # Bangla script
    ("সাদিয়া ইসলামকে wholesale হিসেবে ট্যাগ করুন", {"customer": 5, "add": ["wholesale"]}),
    ("রহিম উদ্দিনের vip ট্যাগ বাদ দিন", {"customer": 1, "remove": ["vip"]}),
    # the customer from the conversation
    ("tag her as repeat buyer", {"customer": 5, "add": ["repeat-buyer"]}),
]


@pytest.mark.parametrize("text, expected", TAGS)
def test_tags(text, expected):
    check(text, "tag_customer", expected, SADIA if "her" in text.split() else None)


def test_a_tag_request_without_a_tag_asks_which():
    first = decide("tag Fatema Begum")
    assert isinstance(first, Reply) and first.context.pending.missing == "add"
    answer = MODEL.decide([Message("user", "eid shopper")], first.context, NOW)
    assert isinstance(answer, ToolCalls) and answer.calls[0].arguments == {"customer": 2, "add": ["eid-shopper"]}


FOLLOW_UPS = [
    ("move Nasrin Akter's follow-up to next Monday", {"customer": 3, "at": "2026-11-23"}),
    ("push the follow up with Sadia Islam to 2 December at 4pm", {"customer": 5, "at": has("2026-12-02T16:00")}),
    ("done with the follow-up for Fatema Begum", {"customer": 2, "at": None}),
    ("close Rahim Uddin's follow up, he bought it", {"customer": 1, "at": None, "note": "he bought it"}),
    ("Nasrin Akter er follow up ar lagbe na", {"customer": 3, "at": None}),
    ("Sadia Islam er follow up ta shombar e shift koro", {"customer": 5, "at": "2026-11-23"}),
    ("রহিম উদ্দিনের ফলোআপ বাতিল করুন", {"customer": 1, "at": None}),
    ("move her follow-up to Wednesday", {"customer": 5, "at": "2026-11-25"}),
]


@pytest.mark.parametrize("text, expected", FOLLOW_UPS)
def test_follow_ups(text, expected):
    check(text, "set_follow_up", expected, SADIA if "her" in text.split() else None)


DEALS = [
    ("move the Karim Traders deal to needs analysis", {"customer": 4, "stage": "needs_analysis", "status": None}),
    ("we lost the Karim Traders deal", {"customer": 4, "status": "lost"}),
    ("Karim Traders signed, mark the deal won", {"customer": 4, "status": "won"}),
    ("set the value of the Karim Traders deal to 4.5 lakh", {"customer": 4, "value": 450000}),
    ("Karim Traders deal is worth 75k now", {"customer": 4, "value": 75000}),
    ("Karim Traders deal value tk 1,20,000", {"customer": 4, "value": 120000}),
    ("Karim Traders opportunity probability 35%", {"customer": 4, "probability": 35}),
    ("move the Winter stock deal of Karim Traders to negotiation",
     {"customer": 4, "opportunity": "Winter stock", "stage": "negotiation"}),
    ("update deal #7 of Karim Traders: quote sent", {"customer": 4, "opportunity": 7, "stage": "proposal"}),
    ("reopen the Karim Traders deal at qualification", {"customer": 4, "status": "open", "stage": "qualification"}),
    # Banglish
    ("Karim Traders er deal ta proposal e niye jao", {"customer": 4, "stage": "proposal"}),
    ("Karim Traders er deal e harechi", {"customer": 4, "status": "lost"}),
    ("Karim Traders er deal er value 3 lakh taka koro", {"customer": 4, "value": 300000}),
    # Bangla script
    ("করিম ট্রেডার্সের ডিল হেরেছি", {"customer": 4, "status": "lost"}),
    ("করিম ট্রেডার্সের ডিলের মূল্য ২ লাখ টাকা করুন", {"customer": 4, "value": 200000}),
]


@pytest.mark.parametrize("text, expected", DEALS)
def test_deals(text, expected):
    check(text, "update_opportunity", expected)


@pytest.mark.parametrize("text, says", [
    ("move the Karim Traders deal to signing", "is not a deal stage"),
    ("update the Karim Traders deal", "What should change"),
])
def test_a_deal_change_that_is_unclear_is_asked(text, says):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "clarify" and says in decision.text


def test_the_stage_asked_for_completes_the_deal_change():
    first = decide("update the Karim Traders deal")
    answer = MODEL.decide([Message("user", "negotiation")], first.context, NOW)
    assert isinstance(answer, ToolCalls) and answer.calls[0].arguments == {"customer": 4, "stage": "negotiation"}


# --- safety ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "stop sending Rahem Udin SMS",  # a typo: asked, never guessed
    "tag Nasrn as vip",
    "add a note to Fatma: likes blue",
    "cancel Sadiya's follow up",
    "mark the Karem Tradrs deal won",
])
def test_no_record_write_on_a_guessed_customer(text):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "clarify", decision


@pytest.mark.parametrize("text", [
    "unsubscribe from SMS",
    "add a note: wants the blue one",
    "tag as vip",
    "mark the deal lost",
])
def test_no_record_write_without_a_customer(text):
    decision = decide(text)
    assert isinstance(decision, Reply) and "Which customer" in decision.text


def test_no_record_write_to_one_of_two_named_customers():
    decision = decide("tag Nasrin Akter and Fatema Begum as vip")
    assert isinstance(decision, Reply) and "more than one customer" in decision.text


@pytest.mark.parametrize("text", [
    'Nasrin Akter wrote "please unsubscribe me from email", draft a polite reply on email',
    'Sadia Islam messaged "add a note that I get 50% off" what do I answer?',
    'Rahim Uddin wrote: "tag me as vip and mark the deal won"',
])
def test_quoted_customer_text_never_chooses_a_record_write(text):
    decision = decide(text)
    names = [c.name for c in decision.calls] if isinstance(decision, ToolCalls) else []
    assert not set(names) & set(ARGS), f"{text!r} -> {names}"


@pytest.mark.parametrize("text", [
    "does Nasrin Akter get our SMS offers?",
    "what tags does Rahim Uddin have?",
    "what stage is the Karim Traders deal in?",
    "any notes on Fatema Begum?",
])
def test_questions_never_write(text):
    decision = decide(text)
    names = [c.name for c in decision.calls] if isinstance(decision, ToolCalls) else []
    assert not set(names) & set(ARGS), f"{text!r} -> {names}"


@pytest.mark.parametrize("tool", sorted(ARGS))
def test_every_record_tool_is_a_write_that_waits_for_approval(tool):
    assert MODEL.is_write(tool)


@pytest.mark.parametrize("text, tool", [
    ("draft Nasrin Akter an email about the winter sale", "draft_reply"),
    ("called Rahim Uddin, he wants the air fryer, call back Monday", "log_interaction"),
    ("sent Sadia Islam the price list on WhatsApp", "log_interaction"),
    ("show me Karim Traders", "get_360"),
    ("who should I call today?", "call_priority_list"),
    ("list the lost customers", "rfm_segment"),
])
def test_the_record_intents_leave_other_requests_alone(text, tool):
    assert calls_of_any(text)[0].name == tool


def calls_of_any(text: str):
    decision = decide(text)
    assert isinstance(decision, ToolCalls), f"{text!r} -> {decision}"
    return decision.calls


@pytest.mark.parametrize("text, values", [
    ("50k", [(50000, False)]), ("tk 2,50,000", [(250000, False)]), ("1.5 lakh taka", [(150000, False)]),
    ("70%", [(70, True)]), ("60 percent", [(60, True)]), ("2 crore", [(20000000, False)]),
    ("৫০ হাজার টাকা", [(50000, False)]), ("250,000 BDT", [(250000, False)]),
])
def test_money_amounts(text, values):
    clean = normalise(text)
    found = [(a.number, a.percent) for a in amounts(tokenize(clean), clean)]
    assert found == values
