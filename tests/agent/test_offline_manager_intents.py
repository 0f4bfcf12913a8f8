"""The offline model on follow-ups (set_follow_up), "why (not) on my list" (explain_call_priority)
and the manager's numbers (dashboard): messages -> tool and arguments, one row per phrasing."""
from __future__ import annotations

import pytest

from agent.offline import Reply, ToolCalls
from tests.agent.test_offline_model import call_of, decide

MON, WED = "2026-11-23", "2026-11-25"  # today is Fri 2026-11-20


@pytest.mark.parametrize("text, customer, day", [
    ("move Fatema's follow-up to Monday", 4, MON),
    ("reschedule the follow up with Tanvir Ahmed to 25 November", 7, WED),
    ("push Sadia's followup to next Wednesday", 9, WED),
    ("set a follow-up with Nusrat for Monday about the kettle", 5, MON),
    ("remind me to call Karim Hossain on Wednesday", 6, WED),
    ("Fatema er follow up ta sombar e shift koro", 4, MON),
])
def test_schedules_or_moves_a_follow_up(text, customer, day):
    name, args = call_of(text)
    assert name == "set_follow_up" and args["customer"] == customer
    assert str(args["at"]).startswith(day)


@pytest.mark.parametrize("text, customer, note", [
    ("cancel the follow-up with Fatema", 4, None),
    ("cancel Tanvir Ahmed's follow up, he bought elsewhere", 7, "he bought elsewhere"),
    ("Sadia r follow up batil koro", 9, None),
    ("remove the follow-up for Nusrat: she moved abroad", 5, "she moved abroad"),
])
def test_cancels_a_follow_up_without_a_time(text, customer, note):
    name, args = call_of(text)
    assert name == "set_follow_up" and args["customer"] == customer and "at" not in args
    assert args.get("note") == note


@pytest.mark.parametrize("text", [
    "called Fatema, call back Monday",
    "just talked to Tanvir Ahmed, follow up on Wednesday",
    "spoke with Nusrat for 5 minutes, she wants a follow up next week",
])
def test_a_contact_that_happened_is_logged_not_planned(text):
    assert call_of(text)[0] == "log_interaction"


def test_a_follow_up_without_a_day_asks_when():
    decision = decide("move Fatema's follow-up")
    assert isinstance(decision, Reply) and "When should the follow-up with Fatema" in decision.text


@pytest.mark.parametrize("text, customer, extra", [
    ("why is Fatema on my list?", 4, {}),
    ("why isn't Tanvir Ahmed on the call list?", 7, {}),
    ("why is Sadia not on my hot list", 9, {"temperature": "hot"}),
    ("where does Nusrat rank on the call list?", 5, {}),
    ("Karim Hossain keno list e nai?", 6, {}),
])
def test_why_or_why_not_on_the_list(text, customer, extra):
    name, args = call_of(text)
    assert name == "explain_call_priority" and args["customer"] == customer
    assert {k: args.get(k) for k in extra} == extra


@pytest.mark.parametrize("text, args", [
    ("dashboard", {}),
    ("how many hot customers do we have?", {}),
    ("how many loyal customers do we have", {}),
    ("how is my team doing this week?", {}),
    ("how did the team do last week", {"since": "2026-11-09", "until": "2026-11-15"}),
    ("team er kemon cholche ei mashe", {"since": "2026-11-01"}),
])
def test_the_managers_numbers(text, args):
    name, got = call_of(text)
    assert name == "dashboard" and {k: got.get(k) for k in args} == args


def test_a_follow_up_change_is_a_write_that_waits_for_approval():
    decision = decide("move Fatema's follow-up to Monday")
    assert isinstance(decision, ToolCalls) and decision.context.unsent
