"""The offline model on the read side: follow-ups that refine a call list, "why" about the list just
shown, counts, chat spellings and Bangla script.

Table-driven: one row per phrasing (message, the previous call if any, the tool and the arguments
that must be there; None = must be absent). Every call is checked against the tool's own
argument model, so what the model proposes is what the tool accepts.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.offline import Catalogue, ConversationContext, CustomerRef, Message, OfflineModel, ToolCalls
from agent.offline.pending import pick_candidate
from agent.offline.types import Candidate, PendingClarification, ToolCall
from tools.call_priority_list import CallPriorityListArgs
from tools.dashboard import DashboardArgs
from tools.explain_call_priority import ExplainCallPriorityArgs

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Friday
CUSTOMERS = [(1, "Rahim Uddin", "Dhaka"), (2, "Fatema Begum", "Chattogram"), (3, "Nasrin Akter", "Sylhet"),
             (4, "Kamal Chowdhury", "Sylhet"), (5, "Sadia Islam", "Rajshahi")]
MODEL = OfflineModel(Catalogue(CUSTOMERS, ["Blue Kettle", "Ceiling Fan"], users=["Rina Akter"]))
ARGS = {"call_priority_list": CallPriorityListArgs, "dashboard": DashboardArgs,
        "explain_call_priority": ExplainCallPriorityArgs}


def after(name: str | None = None, **arguments) -> ConversationContext:
    """A conversation whose last decided call was ``name(**arguments)``."""
    if name is None:
        return ConversationContext()
    return ConversationContext(last_call=ToolCall(name, arguments))


def call_of(text: str, ctx: ConversationContext) -> ToolCall:
    decision = MODEL.decide([Message("user", text)], ctx, NOW)
    assert isinstance(decision, ToolCalls), f"{text!r} -> {decision}"
    assert len(decision.calls) == 1, decision.calls
    call = decision.calls[0]
    if call.name in ARGS:
        ARGS[call.name](**call.arguments)
    return call


def check(text: str, ctx: ConversationContext, tool: str, expected: dict) -> None:
    call = call_of(text, ctx)
    assert call.name == tool, f"{text!r} -> {call.name} {call.arguments}"
    for key, value in expected.items():
        if value is None:
            assert call.arguments.get(key) in (None, False), f"{text!r}: {key} should be absent in {call.arguments}"
        else:
            assert call.arguments.get(key) == value, f"{text!r}: {key}={call.arguments.get(key)!r}, expected {value!r}"


LIST = "call_priority_list"

# how many rows a message asks for, read from the message alone
LIMITS = [
    ("best four to ring this afternoon", 4),
    ("first 7 customers I should phone", 7),
    ("the top twelve leads", 12),
    ("call list, max 6", 6),
    ("list cold ones, only 8", 8),
    ("dosh jon ke call dite hobe", 10),
    ("she wants only 2 fans", None),        # a quantity in a story is no list length
    ("call Rahim at 5", None),
]


@pytest.mark.parametrize("text, limit", LIMITS)
def test_list_length_slot(text, limit):
    assert MODEL.read(text, NOW).limit == limit


# a short follow-up after a call list changes only what it says; the rest is inherited
REFINEMENTS = [
    ("4 please", after(LIST, temperature="hot"), {"limit": 4, "temperature": "hot"}),
    ("show 12", after(LIST, city="Sylhet"), {"limit": 12, "city": "Sylhet"}),
    ("make it 6 then", after(LIST, assigned_to_me=True), {"limit": 6, "assigned_to_me": True}),
    ("can I see the best 2", after(LIST, date="2026-11-23"), {"limit": 2, "date": "2026-11-23"}),
    ("only my clients", after(LIST, limit=3), {"assigned_to_me": True, "limit": 3}),
    ("amar gula shudhu", after(LIST), {"assigned_to_me": True}),
    ("warm ones, Sylhet", after(LIST, limit=5), {"temperature": "warm", "city": "Sylhet", "limit": 5}),
    ("and the next day?", after(LIST, date="2026-11-23", temperature="cold"),
     {"date": "2026-11-24", "temperature": "cold"}),
    ("the following day", after(LIST), {"date": "2026-11-21"}),
    ("porer din?", after(LIST, limit=4), {"date": "2026-11-21", "limit": 4}),
]


@pytest.mark.parametrize("text, ctx, expected", REFINEMENTS)
def test_call_list_follow_up(text, ctx, expected):
    check(text, ctx, LIST, expected)


def test_bare_number_without_a_list_is_not_a_list_length():
    decision = MODEL.decide([Message("user", "7 please")], ConversationContext(), NOW)
    assert not (isinstance(decision, ToolCalls) and decision.calls[0].name == LIST
                and decision.calls[0].arguments.get("limit") == 7)


# chat spellings are read as the words they stand for
SPELLINGS = [
    ("who shud u cal tmrow", after(), LIST, {"date": "2026-11-21"}),
    ("wat are my calls for today", after(), LIST, {}),
    ("hw many custmers do we have", after(), "dashboard", {}),
]


@pytest.mark.parametrize("text, ctx, tool, expected", SPELLINGS)
def test_chat_spellings(text, ctx, tool, expected):
    check(text, ctx, tool, expected)


# "why <customer>?" right after a call list asks about that list, with its filters
WHY = [
    ("why Sadia?", after(LIST, city="Sylhet"), {"customer": 5, "city": "Sylhet"}),
    ("and why not Kamal", after(LIST, temperature="hot"), {"customer": 4, "temperature": "hot"}),
    ("Nasrin keno?", after(LIST), {"customer": 3}),
    ("ফাতেমা কেন?", after(LIST), {"customer": 2}),
    ("how come Rahim is up there", after(LIST, limit=3), {"customer": 1, "limit": 3}),
    ("why Fatema then?", after("explain_call_priority", customer=1, city="Dhaka"), {"customer": 2, "city": "Dhaka"}),
    ("how come Kamal never shows on my list", after(), {"customer": 4}),
    ("কামাল কেন তালিকায় নেই", after(), {"customer": 4}),
]


@pytest.mark.parametrize("text, ctx, expected", WHY)
def test_why_about_the_list(text, ctx, expected):
    check(text, ctx, "explain_call_priority", expected)


def test_why_without_a_list_in_view_is_not_about_the_list():
    call = call_of("why did Rahim return the kettle?", ConversationContext())
    assert call.name != "explain_call_priority"


# counts in English, Banglish and Bangla script go to the dashboard
COUNTS = [
    "koyjon lead ache amader?",
    "total customers?",
    "kotojon buyer ache",
    "কতজন কাস্টমার আছে?",
    "মোট কত গ্রাহক?",
]


@pytest.mark.parametrize("text", COUNTS)
def test_count_questions(text):
    check(text, ConversationContext(), "dashboard", {})


def test_a_customer_named_like_a_chat_spelling_keeps_the_name():
    model = OfflineModel(Catalogue([(1, "Cal Hossain", "Dhaka")], [], users=["Rina Akter"]))
    decision = model.decide([Message("user", "show me Cal Hossain")], ConversationContext(), NOW)
    assert isinstance(decision, ToolCalls) and decision.calls[0].arguments.get("customer") == 1


# the team's activity, and who is due a follow-up, in the words agents use
READ_REQUESTS = [
    ("how are the agents performing this month", after(), "dashboard", {}),
    ("team er kaj kemon cholche", after(), "dashboard", {}),
    ("anybody I still have to follow up with?", after(), LIST, {}),
    ("kake kake follow up korte hobe kal", after(), LIST, {"date": "2026-11-21"}),
]


@pytest.mark.parametrize("text, ctx, tool, expected", READ_REQUESTS)
def test_read_requests(text, ctx, tool, expected):
    check(text, ctx, tool, expected)


def test_more_about_a_row_of_the_list_just_shown():
    ctx = ConversationContext(last_call=ToolCall(LIST, {}),
                              listed=(CustomerRef(3, "Nasrin Akter"), CustomerRef(1, "Rahim Uddin")))
    check("tell me more about the second one", ctx, "get_360", {"customer": 1})


# more read requests: contact verbs after "who", a day's list, counted rows, the period's numbers
MORE_READS = [
    ("who am I phoning this evening", after(), LIST, {}),
    ("anyone to chase tomorrow?", after(), LIST, {"date": "2026-11-21"}),
    ("kalker list", after(), LIST, {"date": "2026-11-21"}),
    ("ajker 4 jon", after(), LIST, {"limit": 4}),
    ("the numbers for this month please", after(), "dashboard", {}),
    ("3 more", after(LIST, limit=3), LIST, {"limit": 6}),
    ("show me 2 more", after(LIST), LIST, {"limit": 12}),
]


@pytest.mark.parametrize("text, ctx, tool, expected", MORE_READS)
def test_more_read_requests(text, ctx, tool, expected):
    check(text, ctx, tool, expected)


def test_a_phone_number_question_is_no_dashboard():
    check("what is Sadia's number?", ConversationContext(), "get_360", {"customer": 5})


# an answer that says which option it is NOT picks the one left
NAMESAKES = (Candidate(11, "Karim Ahmed", "Dhaka"), Candidate(12, "Karim Ahmed", "Khulna"))
NEGATED = [
    ("not the Dhaka one", 12),
    ("not the first", 12),
    ("not the last one", 11),
    ("khulna r ta na", 11),
    ("no, the Khulna one", 12),   # "no," then the choice: not a negation of it
]


@pytest.mark.parametrize("text, chosen", NEGATED)
def test_clarification_answer_by_elimination(text, chosen):
    pending = PendingClarification("get_360", {}, "customer", "Which Karim Ahmed?", NAMESAKES)
    slots = MODEL.read(text, NOW)
    picked = pick_candidate(pending.candidates, slots, slots.norms)
    assert picked is not None and picked.id == chosen, f"{text!r} -> {picked}"


# a count of an RFM-only segment is that segment; the dashboard counts types and lifecycle stages
SEGMENT_COUNTS = [
    ("how many champions have we got", "rfm_segment", {"segment": "Champions"}),
    ("koyjon lost customer?", "rfm_segment", {"segment": "Lost"}),
    ("how many loyal customers are there", "dashboard", {}),
    ("how many vip customers", "dashboard", {}),
]


@pytest.mark.parametrize("text, tool, expected", SEGMENT_COUNTS)
def test_segment_counts(text, tool, expected):
    check(text, ConversationContext(), tool, expected)


def test_why_about_a_row_of_the_list_just_shown():
    ctx = ConversationContext(last_call=ToolCall(LIST, {"city": "Sylhet"}),
                              listed=(CustomerRef(4, "Kamal Chowdhury"), CustomerRef(3, "Nasrin Akter")))
    check("why is the second one on it?", ctx, "explain_call_priority", {"customer": 3, "city": "Sylhet"})
