"""The offline model on realistic sales-desk phrasings (English, Banglish, typos), with a fixed clock."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.offline import (
    Catalogue,
    ConversationContext,
    CustomerRef,
    Message,
    OfflineModel,
    Reply,
    ToolCalls,
)

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Friday
CUSTOMERS = [
    (1, "Rahim Uddin", "Dhaka"), (2, "Rahim Khan", "Chattogram"), (3, "Rahima Akter", "Sylhet"),
    (4, "Fatema Begum", "Dhaka"), (5, "Nusrat Jahan", "Dhaka"), (6, "Karim Hossain", "Khulna"),
    (7, "Tanvir Ahmed", "Dhaka"), (8, "Md. Shakil Rahman", "Dhaka"), (9, "Sadia Islam", "Rajshahi"),
]
PRODUCTS = ["Blue Kettle", "Red Kettle Pro", "Rice Cooker", "Steel Tiffin Box", "Air Fryer", "Ceiling Fan"]
RAHIM_U = CustomerRef(1, "Rahim Uddin")


def world() -> OfflineModel:
    return OfflineModel(Catalogue(CUSTOMERS, PRODUCTS, users=["Rina Akter"]))


MODEL = world()


def decide(text: str, ctx: ConversationContext | None = None):
    return MODEL.decide([Message("user", text)], ctx or ConversationContext(), NOW)


def call_of(text: str, ctx: ConversationContext | None = None):
    decision = decide(text, ctx)
    assert isinstance(decision, ToolCalls), f"{text!r} -> {decision}"
    assert len(decision.calls) == 1
    return decision.calls[0].name, decision.calls[0].arguments


# (message, tool, arguments that must be present with these values; None = must be absent)
CASES = [
    # call list
    ("who should I call today?", "call_priority_list", {"date": None}),
    ("call list", "call_priority_list", {}),
    ("ajke kake call dibo?", "call_priority_list", {}),
    ("kader ke phone korbo aaj?", "call_priority_list", {}),
    ("hot customers to call", "call_priority_list", {"temperature": "hot"}),
    ("Who shud i call tomorow?", "call_priority_list", {"date": "2026-11-21"}),
    ("give me my top 5 hot leads for today", "call_priority_list",
     {"limit": 5, "temperature": "hot", "lifecycle_stage": None, "assigned_to_me": True}),
    ("amar customer der list dao", "call_priority_list", {"assigned_to_me": True}),
    ("which warm prospects should I call?", "call_priority_list", {"temperature": "warm", "lifecycle_stage": "prospect"}),
    ("whom to call 2day", "call_priority_list", {}),
    ("todays call list pls", "call_priority_list", {}),
    ("show my inactive customers to call", "call_priority_list", {"lifecycle_stage": "inactive"}),
    # 360
    ("show me Rahim Uddin", "get_360", {"customer": 1}),
    ("360 for 01712-345678", "get_360", {"customer": "+8801712345678"}),
    ("any info on +880 1812 345 678?", "get_360", {"customer": "+8801812345678"}),
    ("rahim.uddin@example.com details", "get_360", {"customer": "rahim.uddin@example.com"}),
    ("customer #7", "get_360", {"customer": 7}),
    ("tell me about Nusrat", "get_360", {"customer": 5}),
    ("nusrat er details dao", "get_360", {"customer": 5}),
    ("Tanvir somporke bolo", "get_360", {"customer": 7}),
    ("pull up Karim Hossain", "get_360", {"customer": 6}),
    ("Nusrat", "get_360", {"customer": 5}),
    ("show me Shakil", "get_360", {"customer": 8}),
    ("Mr. Hossain's profile", "get_360", {"customer": 6}),
    ("Chittagong er Rahim", "get_360", {"customer": 2}),
    ("show me Rahim from Chittagong", "get_360", {"customer": 2}),
    ("show me nushrat", "get_360", {"customer": 5}),
    # log_interaction
    ("log a call with Rahim Uddin, no answer", "log_interaction",
     {"customer": 1, "type": "call", "outcome": "no_answer", "notes": "No answer", "direction": None}),
    ("called Rahim Khan, loved the blue kettle, call back Friday", "log_interaction",
     {"customer": 2, "type": "call", "outcome": "interested", "follow_up_at": "2026-11-27", "products": ["Blue Kettle"]}),
    ("spoke to fatema apu on whatsapp, she wants a callback kal", "log_interaction",
     {"customer": 4, "type": "whatsapp", "outcome": "callback", "follow_up_at": "2026-11-21"}),
    ("spoke to Rahima, not interested", "log_interaction", {"customer": 3, "type": "call", "outcome": "not_interested"}),
    ("Karim called me, wants the rice cooker, talked for 10 minutes", "log_interaction",
     {"customer": 6, "type": "call", "direction": "inbound", "duration_seconds": 600, "products": ["Rice Cooker"]}),
    ("tanvir ke call dilam, dhoreni", "log_interaction", {"customer": 7, "type": "call", "outcome": "no_answer"}),
    ("karim bhai phone dhorlo na", "log_interaction", {"customer": 6, "type": "call", "outcome": "no_answer"}),
    ("Just called Tanvir, he bought the rice cooker", "log_interaction",
     {"customer": 7, "outcome": "purchased", "products": ["Rice Cooker"]}),
    ("met Karim at the shop yesterday, he complained about the tiffin box", "log_interaction",
     {"customer": 6, "type": "in_person", "outcome": "complaint", "occurred_at": "2026-11-19",
      "products": ["Steel Tiffin Box"]}),
    ("Nusrat whatsapped me asking about the blue ketle price", "log_interaction",
     {"customer": 5, "type": "whatsapp", "direction": "inbound", "products": ["Blue Kettle"]}),
    ("visited Fatema apa, interested, follow up next week", "log_interaction",
     {"customer": 4, "type": "in_person", "outcome": "interested", "follow_up_at": "2026-11-23"}),
    ("phoned tanvir, phone off. try again in 3 days", "log_interaction",
     {"customer": 7, "outcome": "no_answer", "follow_up_at": "2026-11-23"}),
    ("Log whatsapp with Nusrat: sent catalogue, will call back on the 5th at 5pm", "log_interaction",
     {"customer": 5, "type": "whatsapp", "follow_up_at": "2026-12-05T17:00:00+06:00",
      "notes": "Sent catalogue, will call back on the 5th at 5pm"}),
    ("Tanvir called, angry about late delivery, resolved it", "log_interaction",
     {"customer": 7, "direction": "inbound", "outcome": "resolved"}),
    ("spoke with Nusrat for half an hour, she will order porshu", "log_interaction",
     {"customer": 5, "duration_seconds": 1800, "follow_up_at": "2026-11-22"}),
    ("calld Karim, intrested in air fryer, call back tmrw at 4pm", "log_interaction",
     {"customer": 6, "type": "call", "outcome": "interested", "follow_up_at": "2026-11-21T16:00:00+06:00",
      "products": ["Air Fryer"]}),
    ("Rahim Uddin ke whatsapp e msg dilam, reply dey nai", "log_interaction",
     {"customer": 1, "type": "whatsapp", "outcome": "no_answer"}),
    ("sms sent to tanvir about the offer", "log_interaction", {"customer": 7, "type": "sms"}),
    ("had a meeting with Nusrat today, she placed an order for the ceiling fan", "log_interaction",
     {"customer": 5, "type": "meeting", "outcome": "purchased", "products": ["Ceiling Fan"], "follow_up_at": None}),
    ("Karim came to the showroom, bought a rice cooker", "log_interaction",
     {"customer": 6, "type": "in_person", "direction": "inbound", "outcome": "purchased"}),
    ("log: Nusrat - busy, call later", "log_interaction", {"customer": 5, "type": "call", "outcome": "callback"}),
    ("kal Sadia ke call korlam, bollo kettle lagbe na", "log_interaction",
     {"customer": 9, "type": "call", "outcome": "not_interested", "occurred_at": "2026-11-19"}),
    ("Called sadia, she will visit the shop shondha 7 ta, call back tomorrow bikel", "log_interaction",
     {"customer": 9, "type": "call", "follow_up_at": "2026-11-21T16:00:00+06:00"}),
    ("Email sent to Shakil about the invoice, wants a callback next friday", "log_interaction",
     {"customer": 8, "type": "email", "outcome": "callback", "follow_up_at": "2026-11-27"}),
    ("Sadia messaged on facebook, asking for the air fryer price", "log_interaction",
     {"customer": 9, "type": "facebook", "products": ["Air Fryer"]}),
    ("insta DM from Nusrat, she liked the kettle post", "log_interaction", {"customer": 5, "type": "instagram"}),
    # add_family_member
    ("rahim uddin bhai's daughter Ayesha born 5 March 2015", "add_family_member",
     {"customer": 1, "name": "Ayesha", "relationship": "child", "date_of_birth": "2015-03-05"}),
    ("Add Karim's son Rafi, born 2/3/2012", "add_family_member",
     {"customer": 6, "name": "Rafi", "relationship": "child", "date_of_birth": "2012-03-02"}),
    ("add Shakil bhai er meye Mim, jonmodin 12/05/2018", "add_family_member",
     {"customer": 8, "name": "Mim", "relationship": "child", "date_of_birth": "2018-05-12"}),
    ("Tanvir bhai er wife Nadia, birthday 3 jan 1992", "add_family_member",
     {"customer": 7, "name": "Nadia", "relationship": "spouse", "date_of_birth": "1992-01-03"}),
    ("add tanvir's brother Rasel", "add_family_member", {"customer": 7, "name": "Rasel", "relationship": "sibling"}),
    ("add family member for Tanvir: wife Nadia, anniversary 14 Feb 2015", "add_family_member",
     {"customer": 7, "name": "Nadia", "relationship": "spouse", "anniversary_date": "2015-02-14", "date_of_birth": None}),
    ("Fatema apur husband er nam Jamal, dob 22-11-1985", "add_family_member",
     {"customer": 4, "name": "Jamal", "relationship": "spouse", "date_of_birth": "1985-11-22"}),
    ("Nusrat's ammu Rokeya Begum, born 1960-01-15", "add_family_member",
     {"customer": 5, "name": "Rokeya Begum", "relationship": "parent", "date_of_birth": "1960-01-15"}),
    ("add Karim's nani Jahanara", "add_family_member", {"customer": 6, "relationship": "grandparent"}),
    ("Sadia's husband Arif 01711-223344", "add_family_member",
     {"customer": 9, "name": "Arif", "relationship": "spouse", "phone": "+8801711223344"}),
    # rfm_segment
    ("what segment is Tanvir in?", "rfm_segment", {"customer": 7, "segment": None}),
    ("show me the At Risk customers", "rfm_segment", {"segment": "At Risk", "customer": None}),
    ("RFM breakdown", "rfm_segment", {"customer": None, "segment": None}),
    ("segment distribution", "rfm_segment", {}),
    ("what's Nusrat's RFM score", "rfm_segment", {"customer": 5}),
    ("list champions", "rfm_segment", {"segment": "Champions"}),
    ("who are my VIPs", "rfm_segment", {"segment": "VIP"}),
    ("lost customers", "rfm_segment", {"segment": "Lost"}),
    ("potential loyalists top 10", "rfm_segment", {"segment": "Potential Loyalists", "limit": 10}),
    ("at-risk list", "rfm_segment", {"segment": "At Risk"}),
    ("rfm of karim", "rfm_segment", {"customer": 6}),
    # draft_reply
    ("draft a whatsapp to Nusrat about her abandoned cart", "draft_reply",
     {"customer": 5, "channel": "whatsapp", "topic": "abandoned cart"}),
    ("write an email to Karim about the restock, formal", "draft_reply",
     {"customer": 6, "channel": "email", "topic": "restock", "tone": "formal"}),
    ("draft an sms to Tanvir for his birthday in bangla", "draft_reply",
     {"customer": 7, "channel": "sms", "topic": "birthday", "language": "bn"}),
    ("draft wa msg to Tanvir abt restock in bangla, friendly", "draft_reply",
     {"customer": 7, "channel": "whatsapp", "topic": "restock", "tone": "friendly", "language": "bn"}),
    ("draft an email to Nusrat, formal, about the delayed delivery", "draft_reply",
     {"customer": 5, "channel": "email", "topic": "delayed delivery", "tone": "formal"}),
    ("whatsapp Fatema about the new air fryer", "draft_reply", {"customer": 4, "channel": "whatsapp"}),
    ("text Karim a thank you note", "draft_reply", {"customer": 6, "channel": "sms"}),
    ("send a friendly facebook message to Fatema about the new rice cooker offer", "draft_reply",
     {"customer": 4, "channel": "facebook", "tone": "friendly", "topic": "new rice cooker offer"}),
    ('reply on whatsapp to Nusrat "is the blue kettle back in stock?"', "draft_reply",
     {"customer": 5, "channel": "whatsapp", "incoming_message": "is the blue kettle back in stock?"}),
    # mark_dropoff_recovered
    ("Rahim Khan's cart is recovered", "mark_dropoff_recovered", {"customer": 2}),
    ("recover Tanvir's cart", "mark_dropoff_recovered", {"customer": 7}),
    ("nusrat paid for her cart", "mark_dropoff_recovered", {"customer": 5}),
    ("drop off 45 recovered", "mark_dropoff_recovered", {"dropoff_id": 45, "customer": None}),
    ("the cart was recovered for Tanvir, she paid by bkash", "mark_dropoff_recovered",
     {"customer": 7, "note": "She paid by bkash"}),
    ("Sadia's abandoned cart recoverd", "mark_dropoff_recovered", {"customer": 9}),
    # read helpers
    ("birthdays this week", "upcoming_events", {"days": 7}),
    ("upcoming birthdays", "upcoming_events", {"days": 7}),
    ("any anniversaries in the next 30 days?", "upcoming_events", {"days": 30}),
    ("who has birthdays today", "upcoming_events", {"days": 1}),
    ("any birthday tomorrow?", "upcoming_events", {"days": 2}),
    ("birthdays this month", "upcoming_events", {"days": 11}),
    ("find customers named Rahim", "find_customers", {"query": "Rahim"}),
    ("search Chittagong", "find_customers", {"query": "Chittagong"}),
]


@pytest.mark.parametrize("text,tool,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_phrasing(text, tool, expected):
    name, args = call_of(text, ConversationContext(last_customer=CustomerRef(9, "Sadia Islam")))
    assert name == tool
    for key, value in expected.items():
        if value is None:
            assert key not in args, f"{key} should be absent: {args}"
        else:
            assert args.get(key) == value, f"{key}: {args}"


@pytest.mark.parametrize("text", [
    "what's the weather", "write me a poem", "tell me a joke", "who won the cricket match",
    "what's the capital of France?", "will it rain in dhaka tomorrow", "asdf qwerty",
])
def test_out_of_scope_answers_without_a_tool(text):
    reply = decide(text)
    assert isinstance(reply, Reply) and reply.kind == "out_of_scope"
    assert "call list" in reply.text  # it says what c360 can do


@pytest.mark.parametrize("text,expected", [
    ("hi", "I'm c360"), ("what can you do?", "I'm c360"), ("thanks!", "welcome"), ("ok", "OK"),
])
def test_small_talk(text, expected):
    reply = decide(text)
    assert isinstance(reply, Reply) and reply.kind == "answer" and expected in reply.text


def test_notes_are_the_users_words():
    _, args = call_of("Just called Tanvir,   he bought the rice cooker ")
    assert args["notes"] == "Just called Tanvir, he bought the rice cooker"


def test_a_resolved_customer_becomes_the_context():
    decision = decide("show me Nusrat")
    assert decision.context.last_customer == CustomerRef(5, "Nusrat Jahan")
    assert decision.context.last_tool == "get_360"


def test_messages_may_be_dicts_and_only_the_last_user_message_counts():
    messages = [{"role": "user", "content": "show me Nusrat"}, {"role": "assistant", "content": "..."},
                {"role": "user", "content": "call list"}]
    decision = MODEL.decide(messages, None, NOW)
    assert decision.calls[0].name == "call_priority_list"


def test_naive_now_is_business_time():
    decision = MODEL.decide([Message("user", "who should I call tomorrow")], None, datetime(2026, 11, 20, 23, 0))
    assert decision.calls[0].arguments["date"] == "2026-11-21"
