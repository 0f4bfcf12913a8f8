"""The whole graph with the openai and openai-json backends against a mocked endpoint (respx)."""
from __future__ import annotations

import httpx
import pytest
import respx
from sqlalchemy import func, select

from domain.models import Interaction
from tests.agent.conftest import RAHIM_EMAIL
from tests.agent.llm_mock import BASE_URL, MockLLM, last_discussed_id, system_text, tool_feedback

MODES = ["openai", "openai-json"]


@pytest.fixture(params=MODES)
def llm(request):
    """(mode, mock, http client) with the chat endpoint mocked on that client."""
    mock = MockLLM(request.param)
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(side_effect=mock)
        yield request.param, mock, client, route
    client.close()


@pytest.fixture
def llm_agent(llm, settings_for, agents):
    mode, mock, client, route = llm

    def build(**overrides):
        # the backends' own plumbing, without the referee (tests/agent/test_referee.py covers it)
        values = {"llm_referee": False, **overrides}
        settings = settings_for(llm_backend=mode, llm_base_url=BASE_URL, llm_api_key="test-key", **values)
        return agents(settings, http_client=client)

    return build


def interactions(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Interaction.id)))


def test_him_resolves_to_the_customer_last_discussed(llm, llm_agent, world, actor, sessions, thread_id):
    mode, mock, _, _ = llm
    mock.add(
        ("tool", "find_customers", {"query": "Rahim"}),
        ("reply", "Rahim Uddin from Dhaka, assigned to you."),
        lambda body: ("tool", "log_interaction", {"customer": last_discussed_id(body), "type": "call",
                                                  "notes": "He loved the blue kettle", "products": ["Blue Kettle"]}),
        ("reply", "I have logged the call with Rahim."),
    )
    agent = llm_agent()
    first = agent.run_turn(thread_id, actor, "Who is Rahim?")
    assert "Rahim Uddin" in first.reply and first.calls[0]["name"] == "find_customers"
    second = agent.run_turn(thread_id, actor, "Log a call with him, he loved the blue kettle")
    assert f"Rahim Uddin (id {world['rahim']})" in system_text(mock.bodies[2])
    assert second.pending["customer"] == {"id": world["rahim"], "name": "Rahim Uddin"}
    assert second.pending["arguments"]["products"] == ["Blue Kettle"]
    assert interactions(sessions) == 0  # waiting for approval: nothing written yet
    done = agent.resume(thread_id, actor, "approve")
    with sessions() as session:
        row = session.scalars(select(Interaction)).one()
    assert row.customer_id == world["rahim"] and [p.name for p in row.products] == ["Blue Kettle"]
    assert done.reply.startswith("✅ Logged outbound call with Rahim Uddin")
    assert "I have logged" not in done.reply  # the model's claim is replaced by the tool's words


def test_approved_write_resumes_in_a_new_agent_and_writes_once(llm, llm_agent, world, actor, sessions, thread_id):
    mode, mock, _, _ = llm
    mock.add(("tool", "log_interaction", {"customer": "Rahim Uddin", "type": "call", "notes": "asked for price"}),
             ("reply", "Logged."))
    first = llm_agent()
    assert first.run_turn(thread_id, actor, "log a call with Rahim, he asked for the price").pending
    first.close()  # the first process is gone; only the checkpoint remains
    second = llm_agent()
    assert second.pending(thread_id)["tool"] == "log_interaction"
    result = second.resume(thread_id, actor, "approve")
    assert result.calls[-1]["status"] == "done" and interactions(sessions) == 1
    third = llm_agent()  # resuming again finds nothing to approve and writes nothing
    assert "nothing waiting" in third.resume(thread_id, actor, "approve").reply
    assert interactions(sessions) == 1
    assert len(mock.bodies) == 2  # one model step before the interrupt, one after it


def test_declined_write_writes_nothing(llm, llm_agent, world, actor, sessions, thread_id):
    mode, mock, _, _ = llm
    mock.add(("tool", "add_family_member", {"customer": world["rahim"], "name": "Sarah Uddin",
                                            "relationship": "spouse", "date_of_birth": "1990-11-22"}))
    agent = llm_agent()
    pending = agent.run_turn(thread_id, actor, "add his wife Sarah, born 22 Nov 1990").pending
    assert pending["arguments"]["relationship"] == "spouse"
    result = agent.resume(thread_id, actor, "cancel")
    assert "nothing was written" in result.reply.lower()
    assert result.calls[-1]["status"] == "cancelled"
    from domain.models import FamilyMember
    with sessions() as session:
        assert session.scalar(select(func.count(FamilyMember.id))) == 0
    assert len(mock.bodies) == 1  # a cancelled write does not go back to the model


def test_invented_tool_goes_back_to_the_model(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, _ = llm
    mock.add(("tool", "send_sms", {"customer": "Rahim", "text": "hi"}),
             lambda body: ("reply", "I can only draft messages, not send them." if "unknown_tool" in tool_feedback(body)
                           else "error not shown"))
    result = llm_agent().run_turn(thread_id, actor, "text Rahim hi")
    assert result.reply == "I can only draft messages, not send them."
    assert result.calls[0]["error"] == "unknown_tool"


def test_malformed_arguments_go_back_to_the_model(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, _ = llm
    mock.add(("raw_args", "find_customers", '{"query": "Rahim"'),
             lambda body: ("tool", "find_customers", {"query": "Rahim"}) if "JSON" in tool_feedback(body)
             else ("reply", "error not shown"),
             ("reply", "Found Rahim Uddin."))
    result = llm_agent().run_turn(thread_id, actor, "find Rahim")
    assert result.reply == "Found Rahim Uddin."
    assert [c["ok"] for c in result.calls] == [False, True]


def test_server_error_ends_in_a_sensible_reply(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, route = llm
    mock.add(*[httpx.Response(500, json={"error": {"message": "boom"}})] * 3)
    result = llm_agent(llm_max_retries=2).run_turn(thread_id, actor, "find Rahim")
    assert "HTTP 500" in result.reply and "Nothing was written" in result.reply
    assert route.call_count == 3  # the first attempt and two retries


def test_rate_limit_then_success(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, route = llm
    mock.add(httpx.Response(429, headers={"Retry-After": "0"}, json={"error": {"message": "slow down"}}),
             ("reply", "Hello Rina."))
    result = llm_agent().run_turn(thread_id, actor, "hello")
    assert result.reply == "Hello Rina." and route.call_count == 2


def test_timeout_ends_in_a_sensible_reply(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, route = llm
    mock.add(*[httpx.ReadTimeout("too slow")] * 2)
    result = llm_agent(llm_max_retries=1).run_turn(thread_id, actor, "find Rahim")
    assert "did not answer in time" in result.reply and "Nothing was written" in result.reply
    assert route.call_count == 1  # a timed-out generation is not repeated: it would only time out again


def test_no_phone_or_email_reaches_the_model(llm, llm_agent, world, actor, thread_id):
    mode, mock, _, _ = llm
    mock.add(lambda body: ("tool", "find_customers", {"query": _placeholder(body, "PHONE")}),
             ("reply", "That is [PHONE_1], Rahim Uddin, [EMAIL_1]."))
    result = llm_agent().run_turn(thread_id, actor, f"who is 01911-223344? mail {RAHIM_EMAIL}")
    assert result.calls[0]["ok"] and result.calls[0]["arguments"] == {"query": "01911-223344"}
    assert result.reply == f"That is 01911-223344, Rahim Uddin, {RAHIM_EMAIL}."
    for raw in mock.raw_bodies:  # the user's text, the tool results (E.164 phone, email), nothing leaks
        for secret in ("1911", "223344", "rahim@example.com", "1812345678"):
            assert secret not in raw
    assert "[PHONE_1]" in mock.raw_bodies[0] and "[EMAIL_1]" in mock.raw_bodies[0]
    assert "Rahim Uddin" in tool_feedback(mock.bodies[1])  # the tool result did reach it, masked


def _placeholder(body: dict, kind: str) -> str:
    import re

    user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    return re.search(rf"\[{kind}_\d+\]", user).group(0)
