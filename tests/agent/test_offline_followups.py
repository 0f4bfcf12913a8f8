"""Follow-ups inherit the last request and change only what the message says; nothing leaks afterwards."""
from __future__ import annotations

from datetime import datetime

import pytest

from agent.offline import Catalogue, Message, OfflineModel, ToolCalls, ToolResult

NOW = datetime(2026, 11, 20, 10, 30)  # a Friday
MODEL = OfflineModel(Catalogue(customers=[(1, "Rahim Uddin", "Dhaka"), (2, "Fatema Akter", "Sylhet")],
                               products=["Blue Kettle"]))


def run(turns: list[str], declined: bool = False) -> list:
    """Each turn's calls; a write is declined (never run, as the graph does) when ``declined``."""
    ctx, out = None, []
    for text in turns:
        decision = MODEL.decide([Message("user", text)], ctx, NOW)
        ctx = decision.context
        out.append(decision)
        if isinstance(decision, ToolCalls) and not (declined and MODEL.is_write(decision.calls[0].name)):
            results = [ToolResult(c.name, c.arguments, {"ok": True}) for c in decision.calls]
            ctx = MODEL.respond([Message("user", text)], results, ctx, NOW).context
    return out


def test_a_call_list_is_refined_step_by_step():
    calls = [d.calls[0].arguments for d in run(["who should I call today?", "and tomorrow?", "just the cold ones",
                                                 "top 3", "only mine"])]
    assert calls[1] == {"date": "2026-11-21"}
    assert calls[2] == {"date": "2026-11-21", "temperature": "cold"}
    assert calls[3] == {"date": "2026-11-21", "temperature": "cold", "limit": 3}
    assert calls[4] == {"date": "2026-11-21", "temperature": "cold", "limit": 3, "assigned_to_me": True}


def test_a_draft_changes_channel_and_keeps_the_rest():
    first, second = run(["draft a whatsapp to Fatema about the new kettle", "make it an SMS instead"])
    assert second.calls[0].name == "draft_reply"
    assert second.calls[0].arguments == {**first.calls[0].arguments, "channel": "sms"}


def test_a_correction_after_a_declined_write_re_proposes_it_with_the_change():
    first, second = run(["log a call with Rahim, interested, call him back thursday", "not thursday, saturday"],
                        declined=True)
    assert first.calls[0].arguments["follow_up_at"] == "2026-11-26"
    assert second.calls[0].arguments == {**first.calls[0].arguments, "follow_up_at": "2026-11-21"}


def test_nothing_leaks_from_a_declined_write_into_a_new_request():
    _, second = run(["log a call with Rahim, interested, call him back thursday, he liked the blue kettle",
                     "log a whatsapp with Rahim, no answer"], declined=True)
    args = second.calls[0].arguments
    assert "follow_up_at" not in args and "products" not in args and args["outcome"] == "no_answer"


def test_a_written_log_is_never_repeated_by_a_follow_up():
    _, second = run(["log a call with Rahim, no answer", "and tomorrow?"])
    assert not (isinstance(second, ToolCalls) and second.calls[0].name == "log_interaction")


CITY_MODEL = OfflineModel(Catalogue(customers=[(1, "Rahim Uddin", "Dhaka"), (2, "Fatema Akter", "Chittagong"),
                                               (3, "Nasrin Akter", "Chittagong"), (4, "Arif Hossain", "Chattogram"),
                                               (5, "Mina Das", "Cox's Bazar")]))


@pytest.mark.parametrize("text,city", [
    ("who should I call in Chattogram today?", "Chittagong"),  # the book's most common spelling
    ("call list for ctg", "Chittagong"),
    ("who to call in dhaka", "Dhaka"),
    ("ajke dhakar kake call korbo", "Dhaka"),  # a Banglish case ending glued to the city
    ("ajke Dhaka te kake call korbo", "Dhaka"),
    ("আজ ঢাকার কাকে কল করব?", "Dhaka"),
    ("who should I call in Cox's Bazar", "Cox's Bazar"),
    ("who should I call today?", None),
])
def test_the_city_slot_reads_the_books_cities(text, city):
    decision = CITY_MODEL.decide([Message("user", text)], None, NOW)
    assert isinstance(decision, ToolCalls) and decision.calls[0].name == "call_priority_list", decision
    assert decision.calls[0].arguments.get("city") == city
