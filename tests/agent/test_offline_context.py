"""Pronouns through the conversation, clarifying questions and their answers, and respond()."""
from __future__ import annotations

import pytest

from agent.offline import (
    Candidate,
    ConversationContext,
    CustomerRef,
    Message,
    PendingClarification,
    Reply,
    ToolCalls,
    ToolResult,
)
from tests.agent.test_offline_model import MODEL, NOW, RAHIM_U, decide


def talk(*turns: str, ctx: ConversationContext | None = None):
    """Run the turns in order, carrying the context; the last decision."""
    ctx = ctx or ConversationContext()
    decision = None
    for text in turns:
        decision = MODEL.decide([Message("user", text)], ctx, NOW)
        ctx = decision.context
    return decision


@pytest.mark.parametrize("text,tool", [
    ("log a call with him, no answer", "log_interaction"), ("add his wife Sarah", "add_family_member"),
    ("draft her a WhatsApp about the kettle", "draft_reply"), ("what segment is he in", "rfm_segment"),
    ("show me his profile", "get_360"), ("tar cart recovered", "mark_dropoff_recovered"),
    ("oke call korlam, phone off", "log_interaction"), ("she didn't pick up", "log_interaction"),
])
def test_pronouns_use_the_last_customer(text, tool):
    decision = decide(text, ConversationContext(last_customer=RAHIM_U))
    assert isinstance(decision, ToolCalls)
    assert decision.calls[0].name == tool and decision.calls[0].arguments["customer"] == 1


def test_him_follows_the_conversation():
    decision = talk("show me Nusrat", "log a call with her, interested in the air fryer")
    assert decision.calls[0].arguments["customer"] == 5
    decision = talk("show me Nusrat", "now Tanvir", "add his son Rafi")
    assert decision.calls[0].arguments == {"customer": 7, "name": "Rafi", "relationship": "child",
                                             "gender": "male"}


@pytest.mark.parametrize("text", ["log a call with him, no answer", "add his wife Sarah", "log a call, no answer"])
def test_a_write_with_no_customer_asks(text):
    reply = decide(text)
    assert isinstance(reply, Reply) and reply.kind == "clarify"
    assert "customer" in reply.text.lower()
    assert reply.context.pending.missing == "customer"


@pytest.mark.parametrize("answer,customer", [
    ("2", 1), ("the second one", 1), ("the one in Chittagong", 2), ("Rahim Uddin", 1), ("khan", 2),
    ("ctg", 2), ("01712-345678", "+8801712345678"),
])
def test_which_rahim(answer, customer):
    asked = decide("log a call with Rahim, no answer")
    assert asked.kind == "clarify" and "1. Rahim Khan (#2, Chattogram)" in asked.text
    assert [c.id for c in asked.context.pending.candidates] == [2, 1]
    done = MODEL.decide([Message("user", answer)], asked.context, NOW)
    assert isinstance(done, ToolCalls)
    args = done.calls[0].arguments
    assert args["customer"] == customer and args["type"] == "call" and args["outcome"] == "no_answer"
    assert done.context.pending is None


def test_similar_names_ask_and_never_guess_a_write():
    for text in ("called rahim, not interested", "add rahim's wife Sarah", "rahim er cart recovered"):
        reply = decide(text)
        assert isinstance(reply, Reply) and reply.kind == "clarify", text


def test_unknown_customer_is_named_in_the_question():
    reply = decide("log a call with Jamal Bhuiyan, no answer")
    assert isinstance(reply, Reply) and "Jamal Bhuiyan" in reply.text


@pytest.mark.parametrize("first,answer,key,value", [
    ("log Nusrat, interested", "whatsapp", "type", "whatsapp"),
    ("log Nusrat, interested", "on a call", "type", "call"),
    ("add Sarah to Tanvir's family", "wife", "relationship", "spouse"),
    ("add Sarah to Tanvir's family", "she is his sister", "relationship", "sibling"),
    ("draft a message to Karim about the restock", "sms please", "channel", "sms"),
    ("add Karim's daughter", "Mim", "name", "Mim"),
    ("add Karim's daughter Mim born 12 May", "12 May 2018", "date_of_birth", "2018-05-12"),
])
def test_missing_details_are_asked_then_filled(first, answer, key, value):
    asked = decide(first)
    assert isinstance(asked, Reply) and asked.kind == "clarify"
    done = MODEL.decide([Message("user", answer)], asked.context, NOW)
    assert isinstance(done, ToolCalls), done
    assert done.calls[0].arguments[key] == value


def test_a_new_request_replaces_the_question():
    asked = decide("draft a message to Karim about the restock")
    decision = MODEL.decide([Message("user", "who should I call today?")], asked.context, NOW)
    assert decision.calls[0].name == "call_priority_list" and decision.context.pending is None


def test_cancel_drops_the_question():
    asked = decide("show me rahim")
    reply = MODEL.decide([Message("user", "never mind")], asked.context, NOW)
    assert isinstance(reply, Reply) and reply.context.pending is None and "Nothing was written" in reply.text


def test_an_unclear_answer_asks_again_once_then_stops():
    asked = decide("show me rahim")
    again = MODEL.decide([Message("user", "hmm")], asked.context, NOW)
    assert again.kind == "clarify" and again.context.pending.candidates == asked.context.pending.candidates
    assert again.context.pending.attempts == 1
    done = MODEL.decide([Message("user", "no idea really")], again.context, NOW)
    assert done.kind == "answer" and done.context.pending is None and "nothing was written" in done.text


def test_tool_text_is_the_reply_and_context_learns_the_customer():
    result = {"customer": {"id": 5, "name": "Nusrat Jahan"}, "text": "Nusrat Jahan is hot: 3 orders in 60 days.",
              "open_dropoffs": [{"id": 31, "product": "Blue Kettle"}, {"id": 32, "product": "Rice Cooker"}]}
    reply = MODEL.respond([], [ToolResult("get_360", {"customer": 5}, result)], ConversationContext(), NOW)
    assert reply.text == "Nusrat Jahan is hot: 3 orders in 60 days."
    assert reply.context.last_customer == CustomerRef(5, "Nusrat Jahan")
    follow = MODEL.decide([Message("user", "mark the kettle cart recovered")], reply.context, NOW)
    assert follow.calls[0].arguments == {"dropoff_id": 31}


def test_an_ambiguous_tool_error_becomes_a_numbered_question():
    error = {"error": {"code": "ambiguous", "message": "2 customers match",
                       "candidates": [{"id": 1, "name": "Rahim Uddin", "city": "Dhaka", "last_contact": "2026-11-01"},
                                      {"id": 2, "name": "Rahim Khan", "city": "Chattogram"}]}}
    item = {"name": "log_interaction", "arguments": {"customer": "Rahim", "type": "call", "notes": "No answer"},
            "result": error}
    reply = MODEL.respond([], [item], ConversationContext(), NOW)
    assert reply.kind == "clarify" and "Which Rahim" in reply.text and "2. Rahim Khan (#2, Chattogram)" in reply.text
    assert "1. Rahim Uddin (#1, Dhaka, last contact 2026-11-01)" in reply.text
    done = MODEL.decide([Message("user", "the one in Dhaka")], reply.context, NOW)
    assert done.calls[0].arguments == {"customer": 1, "type": "call", "notes": "No answer"}


def test_ambiguous_dropoffs_are_asked_by_product():
    error = {"error": {"code": "ambiguous", "message": "2 open carts", "field": "dropoff_id",
                       "candidates": [{"id": 31, "product": "Blue Kettle", "stage": "add_to_cart"},
                                      {"id": 32, "product": "Rice Cooker", "stage": "checkout_initiated"}]}}
    reply = MODEL.respond([], [ToolResult("mark_dropoff_recovered", {"customer": 5}, error)], ConversationContext(), NOW)
    assert reply.context.pending.missing == "dropoff_id"
    done = MODEL.decide([Message("user", "the rice cooker one")], reply.context, NOW)
    assert done.calls[0].arguments == {"dropoff_id": 32}


def test_errors_and_declines_are_never_reported_as_done():
    not_found = {"error": {"code": "not_found", "message": "No customer matches 'Jamal'."}}
    reply = MODEL.respond([], [ToolResult("log_interaction", {"customer": "Jamal"}, not_found)], ConversationContext(), NOW)
    assert reply.text == "No customer matches 'Jamal'." and "Logged" not in reply.text
    declined = MODEL.respond([], [ToolResult("log_interaction", {}, {"status": "declined"})], ConversationContext(), NOW)
    assert "nothing was written" in declined.text.lower()


def test_results_without_text_are_rendered_from_their_fields():
    result = {"items": [{"id": 1, "name": "Rahim Uddin", "score": 88, "temperature": "hot"},
                        {"id": 2, "name": "Karim Hossain", "score": 70}], "date": "2026-11-20"}
    reply = MODEL.respond([], [ToolResult("call_priority_list", {}, result)], ConversationContext(), NOW)
    assert "1. Rahim Uddin (score 88, temperature hot)" in reply.text and "2. Karim Hossain" in reply.text
    written = MODEL.respond([], [ToolResult("log_interaction", {"customer": 1}, {"interaction_id": 9})],
                            ConversationContext(), NOW)
    assert written.text.startswith("Logged.") and written.context.last_customer == RAHIM_U


def test_pending_candidates_round_trip():
    pending = PendingClarification("get_360", {}, "customer", "Which?", (Candidate(1, "Rahim Uddin", "Dhaka"),))
    done = MODEL.decide([Message("user", "yes")], ConversationContext(pending=pending), NOW)
    assert done.calls[0].arguments == {"customer": 1}
