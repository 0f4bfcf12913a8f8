"""The write side of understanding: visits, inbound contacts in Bangla script, a full name with a slip
in every word, a reason beside "close the follow-up", and a past weekday far from its verb.

Table-driven: message -> tool and arguments (None = must be absent); the name-index rows are typed
words -> how they resolve. Sentences and names here are this file's own, not eval cases.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agent.offline import Catalogue, ConversationContext, Message, OfflineModel, Reply, ToolCalls
from agent.offline.catalogue import Entry, NameIndex

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Wednesday
CUSTOMERS = [(1, "Tarek Mahmud", "Dhaka"), (2, "Joya Paul", "Khulna"), (3, "Lina Rose", "Sylhet"),
             (4, "Omar King", "Dhaka"), (5, "Mitu Young", "Rajshahi"), (6, "Borsha Traders", "Dhaka"),
             (7, "Rupa Sen", "Dhaka"), (8, "Rupa Das", "Bogura")]
MODEL = OfflineModel(Catalogue(CUSTOMERS, ["Rice Cooker", "Steam Iron", "Table Lamp"], users=["Mim Akter"]))


def decide(text: str):
    return MODEL.decide([Message("user", text)], ConversationContext(), NOW)


def check(text: str, tool: str, expected: dict) -> None:
    decision = decide(text)
    assert isinstance(decision, ToolCalls), f"{text!r} -> {decision}"
    call = decision.calls[0]
    assert call.name == tool, f"{text!r} -> {call.name} {call.arguments}"
    for key, value in expected.items():
        if value is None:
            assert key not in call.arguments, f"{text!r}: {key} should be absent in {call.arguments}"
        else:
            assert call.arguments.get(key) == value, f"{text!r}: {key}={call.arguments.get(key)!r}, not {value!r}"


VISITS = [
    ("saw Tarek Mahmud at the store this morning, he checked the steam iron",
     {"customer": 1, "type": "in_person", "products": ["Steam Iron"]}),
    ("bumped into Lina Rose at our shop, she asked about the table lamp", {"customer": 3, "type": "in_person"}),
    ("Omar King stopped by the showroom and bought a rice cooker",
     {"customer": 4, "type": "in_person", "outcome": "purchased"}),
    ("Joya Paul kal dokane ashchilo, iron dekhlo", {"customer": 2, "type": "in_person"}),
    ("তারেক মাহমুদ দোকানে এসেছিলেন", {"customer": 1, "type": "in_person"}),
    ("Mitu Young popped into the store after lunch", {"customer": 5, "type": "in_person"}),
    ("Omar King er sathe dekha holo dokane", {"customer": 4, "type": "in_person"}),
    ("লিনা রোজ শোরুমে এসে বাতি দেখে গেলেন", {"customer": 3, "type": "in_person"}),
]


@pytest.mark.parametrize("text,expected", VISITS)
def test_a_visit_that_happened_is_an_in_person_contact_to_log(text, expected):
    check(text, "log_interaction", expected)


@pytest.mark.parametrize("text", ["Tarek Mahmud will come to the showroom on Saturday", "show me Omar King"])
def test_a_planned_visit_or_a_read_logs_nothing(text):
    decision = decide(text)
    assert not (isinstance(decision, ToolCalls) and decision.calls[0].name == "log_interaction"), decision


BANGLA_INBOUND = [
    ("তারেক মাহমুদ ফোন করেছিলেন, ইস্ত্রির দাম জানতে চাইলেন", {"customer": 1, "type": "call", "direction": "inbound"}),
    ("তারেক মাহমুদকে ফোন করেছিলাম", {"customer": 1, "type": "call", "direction": None}),
]


@pytest.mark.parametrize("text,expected", BANGLA_INBOUND)
def test_bangla_past_forms_tell_who_reached_whom(text, expected):
    check(text, "log_interaction", expected)


INDEX = NameIndex(Entry(i, n, c) for i, n, c in CUSTOMERS)
SLIPS = [  # typed words -> status, first candidate (None: nothing), exact
    (["joia", "pual"], "unique", "Joya Paul", False),
    (["lena", "roze"], "unique", "Lina Rose", False),
    (["rupa", "sen"], "unique", "Rupa Sen", True),
    (["rupo", "dsa"], "unique", "Rupa Das", False),  # two letters swapped are one slip
    (["tarek", "kahn"], "none", None, False),  # a real first name with an unrelated surname
    (["omer"], "none", None, False),  # one word alone is never loosened
]


@pytest.mark.parametrize("typed,status,first,exact", SLIPS)
def test_a_slip_in_every_word_of_a_full_name_suggests_that_name(typed, status, first, exact):
    res = INDEX.resolve(typed)
    assert res.status == status
    assert (res.best.name if res.best else None) == first
    assert res.exact is exact


@pytest.mark.parametrize("text,name", [("called Joia Pual, she wants the rice cooker", "Joya Paul"),
                                       ("tag Lena Roze as regular", "Lina Rose")])
def test_a_write_on_a_name_with_every_word_misspelt_asks_first(text, name):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "clarify", decision
    assert name in decision.text and "Did you mean" in decision.text


CLOSING = [
    ("Tarek Mahmud er follow up ta bondho kore dao, o kine felse", {"customer": 1, "at": None}),
    ("close the follow up for Omar King, he already bought one", {"customer": 4, "at": None}),
]


@pytest.mark.parametrize("text,expected", CLOSING)
def test_a_reason_beside_closing_the_follow_up_does_not_make_it_a_contact(text, expected):
    check(text, "set_follow_up", expected)


@pytest.mark.parametrize("text,day", [
    ("had a long meeting with Borsha Traders on Monday about the order", "2026-03-09"),
    ("had a call with Mitu Young on Monday", "2026-03-09"),
])
def test_a_weekday_in_a_story_told_in_the_past_is_the_last_one(text, day):
    check(text, "log_interaction", {"occurred_at": day, "follow_up_at": None})


def run(turns: list[str]) -> list:
    """Each turn's decision; every write is declined (never run, as the graph does on Cancel)."""
    ctx, out = None, []
    for text in turns:
        decision = MODEL.decide([Message("user", text)], ctx, NOW)
        ctx = decision.context
        out.append(decision)
    return out


CORRECTIONS = [  # a declined proposal, the correction, the arguments that change
    (["set a follow up with Omar King for Friday", "no, saturday"], "set_follow_up", {"at": "2026-03-14"}),
    (["reschedule Tarek Mahmud's follow up to Monday", "not monday, tuesday"], "set_follow_up",
     {"at": "2026-03-17"}),
    (["add a note to Lina Rose: the lamp came late", "actually make it a complaint"], "add_note",
     {"type": "complaint"}),
    (["add a note to Lina Rose: prefers evening delivery", "pin it"], "add_note", {"pinned": True}),
]


@pytest.mark.parametrize("turns,tool,change", CORRECTIONS)
def test_a_correction_after_a_declined_record_write_re_proposes_it_with_the_change(turns, tool, change):
    first, second = run(turns)
    assert isinstance(first, ToolCalls) and first.calls[0].name == tool
    assert isinstance(second, ToolCalls), second
    assert second.calls[0].name == tool
    assert second.calls[0].arguments == {**first.calls[0].arguments, **change}


FAMILY = [  # message -> name, relationship, gender (None: not said)
    ("Joya Paul had a baby girl named Tuli, born 2026-03-01", "Tuli", "child", "female"),
    ("add Omar King's father Abdul King, born 1950-05-05", "Abdul King", "parent", "male"),
    ("Lina Rose er chele Rafi, jonmodin 2015-08-08", "Rafi", "child", "male"),
    ("Mitu Young's kid Nila, born 2018-04-04", "Nila", "child", None),
]


@pytest.mark.parametrize("text,name,relationship,gender", FAMILY)
def test_a_relatives_name_skips_gender_words_and_the_gender_is_kept(text, name, relationship, gender):
    check(text, "add_family_member", {"name": name, "relationship": relationship, "gender": gender})


DRAFTS = [  # message -> arguments of the draft
    ('Omar King whatsapped: "is the iron back in stock?" - draft a reply',
     {"customer": 4, "channel": "whatsapp", "incoming_message": "is the iron back in stock?"}),
    ("Joya Paul ke ekta sms likho rice cooker er discount niye", {"channel": "sms", "topic": "rice cooker er discount"}),
    ("draft a facebook dm for Lina Rose about the table lamp restock, keep it short",
     {"channel": "facebook", "topic": "table lamp restock"}),
]


@pytest.mark.parametrize("text,expected", DRAFTS)
def test_a_draft_reads_its_channel_from_the_contact_and_keeps_request_words_out_of_the_topic(text, expected):
    check(text, "draft_reply", expected)
