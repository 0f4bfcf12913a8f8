"""What sales agents actually type: questions never write, tool errors read as questions, timeline
filters, dates of birth, outcomes, products, list rows and follow-ups ("same for Fatema")."""
from __future__ import annotations

import pytest

from agent.offline import (
    Catalogue,
    ConversationContext,
    CustomerRef,
    Message,
    OfflineModel,
    Reply,
    ToolCalls,
    ToolResult,
)
from tests.agent.test_offline_model import MODEL, NOW, call_of, decide

WRITES = {"log_interaction", "add_family_member", "mark_dropoff_recovered"}


def calls_of(decision) -> list[tuple[str, dict]]:
    return [(c.name, c.arguments) for c in decision.calls] if isinstance(decision, ToolCalls) else []


# ---------------------------------------------------------------- class 1: a question never writes
@pytest.mark.parametrize("text", [
    "Nusrat er kono cart pending ache?",
    "does Karim Hossain have an open cart",
    "what's Rahim Uddin's wife's mobile?",
    "Rahim Uddin's wife Sarah - what's her mobile?",
    "when is Nusrat's husband's birthday?",
    "did Tanvir buy the kettle?",
    "has Sadia called us this week?",
    "what have we discussed with Tanvir since September?",
    "Karim er bou er number ki",
    "any carts left by Nusrat?",
])
def test_a_question_reads_and_never_writes(text):
    decision = decide(text)
    assert not {name for name, _ in calls_of(decision)} & WRITES, decision


@pytest.mark.parametrize("text, tool", [
    ("could you log a call with Nusrat, she did not pick up?", "log_interaction"),
    ("can you add Karim Hossain's son Rafi?", "add_family_member"),
    ("can you mark Tanvir's cart recovered?", "mark_dropoff_recovered"),
])
def test_a_polite_question_that_orders_a_write_still_writes(text, tool):
    assert call_of(text)[0] == tool


@pytest.mark.parametrize("text", [
    "cart reminder for Nusrat on whatsapp",
    "send Sadia a nudge about her cart on sms",
    "draft a whatsapp to Tanvir about the abandoned cart",
])
def test_a_cart_named_in_a_draft_is_a_topic_not_a_recovery(text):
    name, args = call_of(text)
    assert name == "draft_reply" and args["channel"] in {"whatsapp", "sms"}


@pytest.mark.parametrize("text", [
    "Tanvir completed the checkout for the rice cooker",
    "Sadia's payment went through for the air fryer",
    "Karim Hossain's cart is recovered",
])
def test_a_recovery_word_marks_the_cart(text):
    assert call_of(text)[0] == "mark_dropoff_recovered"


# ---------------------------------------------------------------- class 2: tool errors for humans
CARTS = {"ok": False, "error": "ambiguous", "message": "Nusrat Jahan has 2 open drop-offs; ask which one",
         "field": "dropoff_id", "candidates": [
             {"id": 11, "name": "add to cart of Rice Cooker", "kind": "dropoff", "detail": "BDT 3,200, 2026-11-17"},
             {"id": 12, "name": "checkout initiated of Air Fryer", "kind": "dropoff", "detail": "BDT 9,500"}]}


def test_the_product_in_the_message_picks_the_cart_and_the_stale_question_is_dropped():
    text = "Nusrat finally bought the air fryer she left in her cart"
    decision = decide(text)
    assert calls_of(decision) == [("mark_dropoff_recovered", {"customer": 5})]
    failed = ToolResult("mark_dropoff_recovered", {"customer": 5}, CARTS)
    retry = MODEL.respond([Message("user", text)], [failed], decision.context, NOW)
    assert isinstance(retry, ToolCalls)
    assert retry.calls[0].arguments == {"customer": 5, "dropoff_id": 12}
    done = ToolResult("mark_dropoff_recovered", retry.calls[0].arguments, {"ok": True, "text": "Marked #12 recovered."})
    reply = MODEL.respond([Message("user", text)], [failed, done], retry.context, NOW)
    assert isinstance(reply, Reply) and reply.text == "Marked #12 recovered." and reply.context.pending is None


def test_no_product_named_means_the_carts_are_listed_with_their_details():
    failed = ToolResult("mark_dropoff_recovered", {"customer": 5}, CARTS)
    reply = MODEL.respond([Message("user", "mark Nusrat's cart recovered")], [failed], ConversationContext(), NOW)
    assert isinstance(reply, Reply) and reply.kind == "clarify"
    assert "1. add to cart of Rice Cooker (BDT 3,200, 2026-11-17)" in reply.text
    assert reply.context.pending.missing == "dropoff_id"


def test_an_error_message_is_shown_as_a_sentence():
    error = {"ok": False, "error": "forbidden", "message": "karim is assigned to another agent; ask Tanvir"}
    reply = MODEL.respond([], [ToolResult("log_interaction", {"customer": 6}, error)], ConversationContext(), NOW)
    assert reply.text.startswith("Karim is assigned to another agent; ask Tanvir")


# ---------------------------------------------------------------- class 3/4: intents
@pytest.mark.parametrize("text, args", [
    ("who do I need to call tomorrow?", {"date": "2026-11-21"}),
    ("anyone I forgot to call back?", {}),
    ("who's hot right now? just the top 3", {"temperature": "hot", "limit": 3}),
    ("who is due a follow up?", {}),
])
def test_call_list_paraphrases(text, args):
    name, got = call_of(text)
    assert name == "call_priority_list" and all(got.get(k) == v for k, v in args.items())


@pytest.mark.parametrize("text, segment", [
    ("which customers used to spend a lot but stopped buying?", "At Risk"),
    ("show me the ones slipping away", "At Risk"),
    ("who are our best customers?", "Champions"),
])
def test_rfm_paraphrases(text, segment):
    assert call_of(text) == ("rfm_segment", {"segment": segment})


@pytest.mark.parametrize("text, tool", [
    ("what's the story with Mr. Hossain?", "get_360"),
    ("any news from Sadia?", "get_360"),
])
def test_soft_out_of_scope_words_about_a_customer_are_a_360(text, tool):
    assert call_of(text)[0] == tool


@pytest.mark.parametrize("text", ["tell me a story", "delete all customers from the database", "wipe the data"])
def test_out_of_scope_stays_out_of_scope(text):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "out_of_scope"


@pytest.mark.parametrize("text, type_, direction", [
    ("whatsapp'd Nusrat the price list, check back next week", "whatsapp", None),
    ("Tanvir ke whatsapp e catalogue pathaisi", "whatsapp", None),
    ("got a whatsapp from Sadia, asking if the kettle comes in red", "whatsapp", "inbound"),
    ("replied to Karim Hossain on fb messenger about delivery", "facebook", None),
    ("had a meeting with Tanvir at his office", "meeting", None),
])
def test_sent_and_received_messages_are_logged(text, type_, direction):
    name, args = call_of(text)
    assert name == "log_interaction" and args["type"] == type_ and args.get("direction") == direction


def test_she_messaged_is_inbound():
    ctx = ConversationContext(last_customer=CustomerRef(9, "Sadia Islam"))
    name, args = call_of("she just messaged on whatsapp about delivery time, log it", ctx)
    assert name == "log_interaction" and args["direction"] == "inbound" and args["customer"] == 9


# ---------------------------------------------------------------- class 5/7: dates
@pytest.mark.parametrize("text, dob", [
    ("Nusrat's hubby Jamal, bday 12 March 82", "1982-03-12"),
    ("Karim er ammu Rokeya, 1958 er 3 August jonmo", "1958-08-03"),
    ("save Tanvir's mother Amena Begum, born 10 May 1960", "1960-05-10"),
])
def test_dates_of_birth_as_typed(text, dob):
    name, args = call_of(text)
    assert name == "add_family_member" and args["date_of_birth"] == dob


def test_birth_and_wedding_dates_go_by_their_cue_words():
    name, args = call_of("Sadia told me about her husband today: Imran Hasan, works as an engineer at Grameenphone, "
                         "born 2 Feb 1985. They married on 14th Feb 2014. Please save him.")
    assert name == "add_family_member" and args["name"] == "Imran Hasan"
    assert args["date_of_birth"] == "1985-02-02" and args["anniversary_date"] == "2014-02-14"
    assert args["profession"] == "engineer"


def test_twins_are_two_family_members():
    decision = decide("Tanvir has twin sons, Ayan and Arian, both born 3 Jun 2019. add both")
    assert [(a["name"], a["relationship"], a["date_of_birth"]) for _, a in calls_of(decision)] == [
        ("Ayan", "child", "2019-06-03"), ("Arian", "child", "2019-06-03")]


@pytest.mark.parametrize("text, args", [
    ("what have we talked about with Nusrat since October?", {"since": "2026-10-01"}),
    ("what happened with Sadia between 1 and 15 November?", {"since": "2026-11-01", "until": "2026-11-15"}),
    ("Tanvir's last 5 calls", {"timeline_limit": 5, "timeline_types": ["interaction"]}),
    ("what did Karim Hossain do last week?", {"since": "2026-11-13"}),
    ("Sadia's whatsapp history", {"timeline_types": ["interaction"]}),
    ("only Nusrat's orders this year", {"since": "2026-01-01", "timeline_types": ["order"]}),
])
def test_timeline_filters(text, args):
    name, got = call_of(text)
    assert name == "get_360" and {k: got.get(k) for k in args} == args


def test_a_plain_360_keeps_the_whole_timeline():
    assert call_of("show Nusrat's last order") == ("get_360", {"customer": 5})


def test_a_long_note_follows_up_on_the_later_day_and_invents_no_duration():
    name, args = call_of("Long call with Tanvir today. He is opening a second branch and needs ceiling fans, "
                         "asked for a bulk rate. Call him back on Sunday with the price.")
    assert name == "log_interaction" and args["follow_up_at"] == "2026-11-22"
    assert "duration_seconds" not in args and args["products"] == ["Ceiling Fan"]


# ---------------------------------------------------------------- class 6/8: outcomes and products
@pytest.mark.parametrize("text, type_, outcome", [
    ("spoke to Karim Hossain, not interested, he already bought one from Daraz", "call", "not_interested"),
    ("Nusrat was busy in a meeting, said call back in 2 hours", "call", "callback"),
    ("tried calling tanvir, wrong number", "call", "other"),
    ("caled nusrat no ans", "call", "no_answer"),
    ("Sadia ke call dilam, kal showroom e ashbe", "call", None),
])
def test_outcomes_and_types(text, type_, outcome):
    name, args = call_of(text)
    assert name == "log_interaction" and args["type"] == type_ and args.get("outcome") == outcome


@pytest.mark.parametrize("text, products", [
    ("met Tanvir, he'll order 40 fans in January", ["Ceiling Fan"]),
    ("called Sadia, she asked about the steel tiffin boxes", ["Steel Tiffin Box"]),
    ("called Sadia, she likes the blue one", []),
])
def test_products_from_plurals_and_partial_names(text, products):
    assert call_of(text)[1].get("products", []) == products


def test_a_first_name_shared_with_another_customer_is_ambiguous_despite_a_weak_surname():
    model = OfflineModel(Catalogue([(1, "Fatema Akter", "Dhaka"), (2, "Fatema Begum", "Khulna")]))
    decision = model.decide([Message("user", "called Fatema, no answer")], ConversationContext(), NOW)
    assert isinstance(decision, Reply) and "Fatema Akter" in decision.text and "Fatema Begum" in decision.text


# ---------------------------------------------------------------- class 9: context across turns
def test_the_first_one_is_the_first_row_of_the_list_shown():
    listing = decide("who should I call today?")
    rows = {"ok": True, "text": "Call list", "entries": [{"rank": 1, "customer_id": 7, "name": "Tanvir Ahmed"},
                                                          {"rank": 2, "customer_id": 9, "name": "Sadia Islam"}]}
    shown = MODEL.respond([], [ToolResult("call_priority_list", {}, rows)], listing.context, NOW)
    assert call_of("called the first one, he didn't pick up", shown.context)[1]["customer"] == 7
    assert call_of("the second one wants a callback tomorrow, log a call", shown.context)[1]["customer"] == 9


def test_same_for_another_customer_repeats_the_last_call():
    first = decide("called Tanvir, no answer")
    done = MODEL.respond([], [ToolResult("log_interaction", first.calls[0].arguments, {"ok": True, "text": "ok"})],
                         first.context, NOW)
    name, args = call_of("same for Sadia", done.context)
    assert name == "log_interaction" and args["customer"] == 9 and args["outcome"] == "no_answer"
    assert args["notes"].startswith("Same as logged for Tanvir Ahmed")


def test_a_correction_after_a_declined_proposal_keeps_its_details():
    proposed = decide("log a whatsapp with Sadia, she wants the air fryer")
    # declined: the result never comes back, so the next message still sees the proposal as unsent
    name, args = call_of("sorry, it was a phone call, not whatsapp. log it as a call", proposed.context)
    assert (name, args["type"], args["products"], args["notes"]) == (
        "log_interaction", "call", ["Air Fryer"], "Wants the air fryer")


def test_a_written_call_is_not_carried_into_the_next_one():
    proposed = decide("log a whatsapp with Sadia, she wants the air fryer")
    done = MODEL.respond([], [ToolResult("log_interaction", proposed.calls[0].arguments, {"ok": True, "text": "ok"})],
                         proposed.context, NOW)
    assert "products" not in call_of("log a call with Sadia, no answer", done.context)[1]


def test_two_customers_shown_together_make_a_pronoun_ambiguous_for_a_write():
    shown = decide("pull up Nusrat and Tanvir")
    assert calls_of(shown) == [("get_360", {"customer": 5}), ("get_360", {"customer": 7})]
    results = [ToolResult(c.name, c.arguments, {"ok": True, "text": "360",
                                                 "customer": {"id": c.arguments["customer"], "name": "x"}})
               for c in shown.calls]
    after = MODEL.respond([], results, shown.context, NOW)
    asked = MODEL.decide([Message("user", "log a call with her, no answer")], after.context, NOW)
    assert isinstance(asked, Reply) and asked.kind == "clarify"
    assert "Nusrat Jahan" in asked.text and "Tanvir Ahmed" in asked.text
    answered = MODEL.decide([Message("user", "Nusrat")], asked.context, NOW)
    assert calls_of(answered)[0][1]["customer"] == 5


# ---------------------------------------------------------------- slots: direction, products, outcomes
SHOP = OfflineModel(Catalogue(customers=[(1, "Rahim Uddin", "Dhaka"), (2, "Fatema Begum", "Chattogram")],
                              products=["Android Phone", "Smart TV 43in", "Blue Kettle"]))
ABOUT_FATEMA = ConversationContext(last_customer=CustomerRef(2, "Fatema Begum"))


@pytest.mark.parametrize("text, expected", [
    # the customer reached us
    ("she called us about the delivery", {"type": "call", "direction": "inbound"}),
    ("she rang us this morning", {"type": "call", "direction": "inbound"}),
    ("got a FB message from her asking the price", {"type": "facebook", "direction": "inbound"}),
    ("she sent us a whatsapp about the kettle", {"type": "whatsapp", "direction": "inbound"}),
    ("received an email from her", {"type": "email", "direction": "inbound"}),
    ("called her, she wants the kettle", {"type": "call", "direction": None}),
    # a product word is a product (or nothing), never a customer
    ("called her, she wants the TV", {"customer": 2, "products": ["Smart TV 43in"]}),
    ("called her, she wants the android phone", {"customer": 2, "products": ["Android Phone"]}),
    # "phone" in a Banglish outcome is the phone she did not pick up, not the product
    ("phone dilam, phone dhoreni", {"type": "call", "outcome": "no_answer", "products": None}),
    ("Fatema phone dhoreni", {"customer": 2, "type": "call", "outcome": "no_answer", "products": None}),
    ("call korlam, phone bondho", {"type": "call", "outcome": "no_answer", "products": None}),
])
def test_contact_slots(text, expected):
    decision = SHOP.decide([Message("user", text)], ABOUT_FATEMA, NOW)
    assert isinstance(decision, ToolCalls) and decision.calls[0].name == "log_interaction", decision
    args = decision.calls[0].arguments
    assert {k: args.get(k) for k in expected} == expected
