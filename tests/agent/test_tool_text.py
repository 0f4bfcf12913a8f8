"""Tool calls in disguise: recorded real outputs (Qwen2.5-Coder on llama.cpp) and the documented
formats of other model families are read as calls, validated, and never shown to a user."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from agent.backends import ModelRequest
from agent.backends.openai_tools import UNREADABLE, OpenAIToolsBackend
from agent.backends.tool_text import looks_like_markup, read_tool_calls
from agent.decisions import Reply, ToolCalls
from domain.enums import Role
from domain.settings import Settings
from tests.conftest import NOW
from tools.context import Actor
from tools.registry import load_tools, offered_tools, openai_tools

RECORDINGS = Path(__file__).parent / "data" / "qwen2.5-coder-1.5b-llamacpp.jsonl"
BASE = "http://llm.test/v1"
TOOLS = ["add_family_member", "call_priority_list", "draft_reply", "find_customers", "get_360", "log_interaction",
         "mark_dropoff_recovered", "rfm_segment", "upcoming_events"]


def recorded(backend: str) -> list[dict]:
    rows = [json.loads(line) for line in RECORDINGS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["backend"] == backend and r["status"] == 200]


@pytest.mark.parametrize("text, name, arguments", [
    # Hermes / Qwen
    ('<tool_call>\n{"name": "get_360", "arguments": {"customer": "Rahim"}}\n</tool_call>', "get_360", {"customer": "Rahim"}),
    # a fenced JSON block, arguments as a JSON string
    ('```json\n{"name": "rfm_segment", "arguments": "{\\"customer\\": 3}"}\n```', "rfm_segment", {"customer": 3}),
    # a bare object with "tool" / "parameters"
    ('{"tool": "get_360", "parameters": {"customer": "Kamal"}}', "get_360", {"customer": "Kamal"}),
    # <tools><function name=… arguments='…'/></tools>
    ("<tools>\n  <function name=\"call_priority_list\" arguments='{\"limit\": 3}'/>\n</tools>",
     "call_priority_list", {"limit": 3}),
    # <tools>{json}</tools>
    ('<tools>\n{"name": "get_360", "arguments": {"customer": "x"}}\n</tools>', "get_360", {"customer": "x"}),
    # Llama 3.1 custom tool format
    ('<function=get_360>{"customer": "Rahim"}</function>', "get_360", {"customer": "Rahim"}),
    ('<function name="get_360">{"customer": "Rahim"}</function>', "get_360", {"customer": "Rahim"}),
    # Llama 3.1 JSON tool calling, with the python tag
    ('<|python_tag|>{"name": "get_360", "parameters": {"customer": "Rahim"}}<|eom_id|>', "get_360", {"customer": "Rahim"}),
    # Llama 3.2 pythonic
    ('[get_360(customer="Rahim"), rfm_segment(customer=3)]', "get_360", {"customer": "Rahim"}),
    # Mistral v3 and v11
    ('[TOOL_CALLS] [{"name": "get_360", "arguments": {"customer": "Rahim"}}]', "get_360", {"customer": "Rahim"}),
    ('[TOOL_CALLS]get_360[ARGS]{"customer": "Rahim"}', "get_360", {"customer": "Rahim"}),
    # "Name {json}", capitalised, spaces for underscores
    ('Mark dropoff recovered\n{"customer": "Rahim Uddin", "note": "paid"}', "mark_dropoff_recovered",
     {"customer": "Rahim Uddin", "note": "paid"}),
    # OpenAI's own shape written as text
    ('{"tool_calls": [{"type": "function", "function": {"name": "get_360", "arguments": "{\\"customer\\": 1}"}}]}',
     "get_360", {"customer": 1}),
])
def test_every_disguise_is_read_as_its_call(text, name, arguments):
    calls = read_tool_calls(text, TOOLS)
    assert calls and calls[0].name == name and calls[0].arguments == arguments and calls[0].error is None
    assert looks_like_markup(text, TOOLS)


@pytest.mark.parametrize("text", [
    "Rahim Uddin spent BDT 4,500 on a Blue Kettle.",
    "I can only draft messages, not send them.",
    '{"name": "Rahim", "city": "Dhaka"}',  # an object naming no tool is not a call ...
])
def test_plain_text_and_unknown_names_are_not_calls(text):
    assert read_tool_calls(text, TOOLS) == []


def test_a_json_object_naming_no_tool_is_still_markup_to_a_user():
    assert looks_like_markup('{"name": "Rahim", "city": "Dhaka"}')  # ... but never a reply either
    assert not looks_like_markup("Rahim Uddin spent BDT 4,500 on a Blue Kettle.", TOOLS)


def test_broken_arguments_are_an_error_for_the_model_not_a_reply():
    calls = read_tool_calls('<tool_call>{"name": "get_360", "arguments": "{customer: Rahim"}</tool_call>', TOOLS)
    assert calls[0].name == "get_360" and calls[0].arguments is None and "not valid JSON" in calls[0].error


def test_every_recorded_native_answer_with_markup_is_read_as_a_call():
    rows = recorded("openai")
    assert len(rows) >= 15
    for row in rows:
        content = row["response"]["choices"][0]["message"].get("content") or ""
        calls = read_tool_calls(content, TOOLS)
        if looks_like_markup(content, TOOLS) and not content.lstrip().startswith('{\n  "summary"'):
            assert calls, f"a recorded answer was not read as a call: {content[:80]!r}"
            assert all(c.name in TOOLS for c in calls)


@pytest.fixture
def backend_for():
    load_tools()
    made = []

    def build(**overrides):
        client = httpx.Client()
        made.append(client)
        settings = Settings(_env_file=None, llm_backend="openai", llm_base_url=BASE, llm_model="qwen",
                            llm_retry_wait_seconds=0, **overrides)
        return OpenAIToolsBackend(settings, http_client=client)

    yield build
    for client in made:
        client.close()


def request_for(text: str) -> ModelRequest:
    return ModelRequest(messages=[{"role": "user", "content": text}], context={}, now=NOW,
                        actor=Actor(1, "Rina Akter", Role.agent), tools=openai_tools(), known_tools=offered_tools())


def test_recorded_answers_through_the_backend_never_reach_the_user_as_markup(backend_for):
    backend = backend_for()
    for row in recorded("openai"):
        content = row["response"]["choices"][0]["message"].get("content") or ""
        if content.lstrip().startswith('{\n  "summary"'):
            continue  # a text task's answer, not an agent step
        with respx.mock(base_url=BASE) as router:
            router.post("/chat/completions").mock(side_effect=[httpx.Response(200, json=row["response"]),
                                                               httpx.Response(200, json=row["response"])])
            decision = backend.decide(request_for("who should I call?"))
        if isinstance(decision, Reply):
            assert not looks_like_markup(decision.text, TOOLS) or decision.text == UNREADABLE
        else:
            assert isinstance(decision, ToolCalls) and decision.calls[0].name in TOOLS


def _answer(content: str) -> httpx.Response:
    return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "qwen",
                                     "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant", "content": content}}]})


def test_unreadable_markup_gets_one_corrective_retry_then_an_honest_message(backend_for):
    backend = backend_for()
    with respx.mock(base_url=BASE) as router:
        route = router.post("/chat/completions").mock(side_effect=[_answer("<tools><function/></tools>")] * 2)
        decision = backend.decide(request_for("find Rahim"))
    assert route.call_count == 2
    assert "neither a tool call" in json.loads(route.calls[1].request.content)["messages"][-1]["content"]
    assert isinstance(decision, Reply) and decision.text == UNREADABLE and decision.kind == "unreadable"


def test_a_corrected_answer_is_used(backend_for):
    backend = backend_for()
    with respx.mock(base_url=BASE) as router:
        router.post("/chat/completions").mock(side_effect=[_answer("<tools><function/></tools>"),
                                                           _answer("Rahim is a customer in Dhaka.")])
        decision = backend.decide(request_for("find Rahim"))
    assert isinstance(decision, Reply) and decision.text == "Rahim is a customer in Dhaka."


def test_a_masked_email_written_back_without_brackets_is_restored(backend_for):
    backend = backend_for()
    content = '```json\n{"name": "get_360", "arguments": {"customer": "EMAIL_1"}}\n```'
    with respx.mock(base_url=BASE) as router:
        route = router.post("/chat/completions").mock(return_value=_answer(content))
        decision = backend.decide(request_for("open rahim@example.com"))
    assert "rahim@example.com" not in route.calls[0].request.content.decode()
    assert decision.calls[0].arguments == {"customer": "rahim@example.com"}
