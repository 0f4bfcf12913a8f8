"""Grounded text inside conversations: a pasted transcript becomes a proposed summary; drafts get reworded."""
from __future__ import annotations

from datetime import date

import httpx
import pytest
import respx
from sqlalchemy import select

from domain.models import Interaction
from tests.agent.llm_mock import BASE_URL, MockLLM, completion
from tests.agent.test_grounded_text import TRANSCRIPT


@pytest.fixture
def mock_llm(settings_for, agents):
    mock = MockLLM("openai")
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        # the text tasks in the graph, without the referee (which fills the call from the words itself)
        settings = settings_for(llm_backend="openai", llm_base_url=BASE_URL, llm_api_key="k", llm_max_retries=1,
                                llm_referee=False)
        yield mock, agents(settings, http_client=client)
    client.close()


def test_a_transcript_gets_a_summary_proposed_even_when_the_llm_fails(mock_llm, world, actor, sessions, thread_id):
    mock, agent = mock_llm
    mock.add(("tool", "log_interaction", {"customer": world["rahim"], "type": "call", "notes": TRANSCRIPT}),
             httpx.Response(500), httpx.Response(500),  # the summary request and its one retry
             ("reply", "Logged the call."))
    pending = agent.run_turn(thread_id, actor, "log this call with Rahim:\n" + TRANSCRIPT).pending
    assert set(pending["suggested"]) == {"outcome", "follow_up_at", "products", "notes"}
    assert pending["arguments"]["outcome"] == "callback" and pending["arguments"]["follow_up_at"] == "2026-11-27"
    assert pending["arguments"]["notes"].startswith("Summary (positive): Agent: Hello Rahim bhai")
    agent.resume(thread_id, actor, "approve")
    with sessions() as session:
        row = session.scalars(select(Interaction)).one()
        assert row.outcome == "callback" and row.follow_up_at.date() == date(2026, 11, 27)
        assert [p.name for p in row.products] == ["Blue Kettle"]


def test_a_draft_is_reworded_and_keeps_its_verdict(mock_llm, world, actor, thread_id):
    mock, agent = mock_llm

    def rewrite(body):
        draft = body["messages"][0]["content"].split("<data>\n")[1].split("\n</data>")[0].strip()
        return completion({"content": '{"text": ' + __import__("json").dumps("Dear customer. " + draft) + "}"})

    mock.add(("tool", "draft_reply", {"customer": world["rahim"], "channel": "sms", "topic": "cart reminder",
                                      "tone": "formal"}), rewrite, ("reply", "Here is the draft."))
    result = agent.run_turn(thread_id, actor, "draft Rahim a formal sms about his cart")
    card = result.cards[0]
    assert card["worded"]["source"] == "llm" and card["worded"]["text"].startswith("Dear customer. ")
    assert card["worded"]["text"].endswith(card["draft"])
    assert "allowed" in card and card["sent"] is False
    assert "223344" not in "".join(mock.raw_bodies)


def _explain_with(text: str):
    """An LLM answer that explains the one item it was given with ``text``."""
    import json
    import re

    def answer(body):
        key = re.search(r'\{"key": "([^"]+)"', body["messages"][0]["content"]).group(1)
        return completion({"content": json.dumps({"explanations": [{"key": key, "text": text}]})})

    return answer


@pytest.mark.parametrize("llm_text, source", [
    ("Rahim Uddin bought 2 times and is a Champion.", "llm"),
    ("Rahim Uddin bought 7 times and spent 99,000.", "template"),  # invented numbers
])
def test_360_explanations_in_a_conversation(llm_text, source, settings_for, agents, world, actor, sessions,
                                             thread_id):
    from agent.backends.scripted import ScriptedModel
    from agent.decisions import Reply, ToolCall, ToolCalls
    from agent.text.grounding import ungrounded
    from agent.text.insights import profile_facts
    from tests.factories import make_order

    with sessions() as session, session.begin():
        from domain.models import Customer
        rahim = session.get(Customer, world["rahim"])
        make_order(session, rahim, at=date(2026, 10, 1), amount=4500)
        make_order(session, rahim, at=date(2026, 11, 1), amount=3000)
    mock = MockLLM("openai").add(_explain_with(llm_text))
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        settings = settings_for(llm_backend="openai", llm_base_url=BASE_URL, llm_api_key="k")
        script = ScriptedModel([ToolCalls([ToolCall("get_360", {"customer": world["rahim"]})]), Reply("Here he is.")])
        result = agents(settings, backend=script, http_client=client).run_turn(thread_id, actor, "tell me about Rahim")
    client.close()
    card = result.cards[0]
    assert card["explanation"]["source"] == source
    if source == "llm":
        assert card["explanation"]["text"] == llm_text
    else:
        assert card["explanation"]["text"].startswith("Rahim Uddin is ")
        assert ungrounded(card["explanation"]["text"], profile_facts(card)) == []
    assert "223344" not in mock.raw_bodies[0] and "rahim@example.com" not in mock.raw_bodies[0]
