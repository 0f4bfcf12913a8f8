"""Never a write on the wrong customer: stored names holding "#N" or a phone, typos, surnames, unknown names."""
from __future__ import annotations

from datetime import datetime

import pytest

from agent.offline import Catalogue, ConversationContext, CustomerRef, Message, OfflineModel, Reply, ToolCalls

NOW = datetime(2026, 11, 20, 10, 30)
MODEL = OfflineModel(Catalogue(customers=[
    (1, "Rahim Uddin", "Dhaka"), (2, "Shop Owner #1", "Sylhet"), (3, "01767903506 Store", "Dhaka"),
    (4, "Rahim Ahmed", "Khulna"), (5, "Kamal Chowdhury", "Sylhet"), (6, "Rahim Ahmed", "Dhaka"),
    (7, "Fatema Akter", "Dhaka"),
], products=["Blue Kettle"]))


def decide(text: str, ctx: ConversationContext | None = None):
    return MODEL.decide([Message("user", text)], ctx, NOW)


# the attack of issue 11 item 2: the id or phone inside a stored name must not redirect the write
@pytest.mark.parametrize("text,customer", [
    ("log a call with Shop Owner #1, no answer", 2),
    ("log a call with shop owner #1, no answer", 2),
    ("log a call with 01767903506 Store, interested", 3),
    ("log a call with #1, no answer", 1),  # a bare "#1" is still the id
    ("log a call with customer 7, no answer", 7),
])
def test_a_stored_name_holding_an_id_or_phone_is_that_customer(text, customer):
    decision = decide(text)
    assert isinstance(decision, ToolCalls)
    assert decision.calls[0].name == "log_interaction" and decision.calls[0].arguments["customer"] == customer


@pytest.mark.parametrize("text,offered", [
    ("log a call with Karim Ahmed, no answer", {4, 6}),  # unknown full name: not found, the closest offered
    ("log a call with Chowdhury, no answer", {5}),  # a surname alone: asked first
    ("log a call with Fatma Aktr Begum, no answer", set()),
])
def test_no_write_on_a_guess(text, offered):
    decision = decide(text)
    assert isinstance(decision, Reply) and decision.kind == "clarify"
    assert decision.context.pending.missing == "customer"
    assert {c.id for c in decision.context.pending.candidates} >= offered


def test_a_typo_in_a_full_name_still_writes_on_that_customer():
    decision = decide("log a call with Rahim Udin, no answer")
    assert isinstance(decision, ToolCalls) and decision.calls[0].arguments["customer"] == 1


def test_a_surname_question_is_answered_with_yes():
    asked = decide("log a call with Chowdhury, no answer")
    done = MODEL.decide([Message("user", "yes")], asked.context, NOW)
    assert isinstance(done, ToolCalls) and done.calls[0].arguments["customer"] == 5


def test_choices_show_id_and_city_and_answers_by_id_or_city_end_the_question():
    asked = decide("log a call with Rahim Ahmed, no answer")
    assert "#4" in asked.text and "#6" in asked.text and "Khulna" in asked.text
    for answer, expected in (("#6", 6), ("the one in Khulna", 4), ("2", asked.context.pending.candidates[1].id)):
        done = MODEL.decide([Message("user", answer)], asked.context, NOW)
        assert isinstance(done, ToolCalls) and done.calls[0].arguments["customer"] == expected


def test_the_full_shared_name_as_answer_says_how_to_choose():
    asked = decide("log a call with Rahim Ahmed, no answer")
    again = MODEL.decide([Message("user", "Rahim Ahmed")], asked.context, NOW)
    assert isinstance(again, Reply) and again.kind == "clarify" and "the number" in again.text


def test_the_customer_just_discussed_is_preferred_and_said_so():
    ctx = ConversationContext(last_customer=CustomerRef(6, "Rahim Ahmed"))
    decision = decide("log a call with Rahim Ahmed, no answer", ctx)
    assert isinstance(decision, ToolCalls) and decision.calls[0].arguments["customer"] == 6
    assert "talking about" in (decision.context.notice or "")


# a surname typed in lower case after a known first name: the full name is looked up, so a name the
# book lacks is "not found" (the namesake offered), while an ordinary English or Banglish word after
# the first name leaves the customer named
@pytest.mark.parametrize("text,found", [
    ("spoke with fatema rahman about the kettle", None),
    ("kamal talukder ke call dilam, kettle nibe", None),
    ("met fatema mridha at the shop", None),
    ("called fatema finally, she wants the kettle", 7),
    ("fatema onek khushi, call dilam", 7),
    ("called kamal again, no answer", 5),
    ("called fatema regarding the kettle", 7),
])
def test_a_lower_case_surname_is_part_of_the_name(text, found):
    decision = decide(text)
    if found is None:
        assert isinstance(decision, Reply) and "couldn't find" in decision.text, decision
    else:
        assert isinstance(decision, ToolCalls) and decision.calls[0].arguments["customer"] == found, decision
