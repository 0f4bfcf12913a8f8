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
        settings = settings_for(llm_backend="openai", llm_base_url=BASE_URL, llm_api_key="k", llm_max_retries=1)
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
    assert "01712" not in "".join(mock.raw_bodies)
