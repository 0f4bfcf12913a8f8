"""Prompts load by name with their slots checked; LLM retries back off and honour Retry-After."""
from __future__ import annotations

from types import SimpleNamespace

import httpx
import openai
import pytest

from agent.backends.llm_client import backoff_wait, is_retryable, retry_after_seconds
from agent.backends.openai_json import extract_json_object, parse_step
from agent.decisions import Reply, ToolCalls
from prompts import PROMPT_DIR, PromptError, render, slots


def test_every_prompt_file_loads_and_names_its_slots():
    names = sorted(p.stem for p in PROMPT_DIR.glob("*.md"))
    assert {"agent_system", "agent_json_protocol", "insight_explanation", "call_summary", "reply_wording"} <= set(names)
    assert slots("agent_json_protocol") == {"tools"}
    assert render("agent_json_protocol", tools="- get_360").count("- get_360") == 1


def test_missing_or_unknown_slots_are_errors():
    with pytest.raises(PromptError, match="missing slots"):
        render("agent_json_protocol")
    with pytest.raises(PromptError, match="unknown slots"):
        render("agent_json_protocol", tools="x", extra="y")
    with pytest.raises(PromptError, match="no prompt named"):
        render("nope")


def _status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://llm.test/v1/chat/completions")
    response = httpx.Response(status, headers=headers or {}, request=request)
    cls = openai.RateLimitError if status == 429 else openai.InternalServerError if status >= 500 else openai.BadRequestError
    return cls("error", response=response, body=None)


def _state(exc: Exception, attempt: int):
    return SimpleNamespace(outcome=SimpleNamespace(exception=lambda: exc), attempt_number=attempt)


def test_backoff_doubles_and_retry_after_wins():
    wait = backoff_wait(0.5)
    assert [wait(_state(_status_error(500), n)) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert wait(_state(_status_error(429, {"Retry-After": "7"}), 1)) == 7.0
    assert wait(_state(_status_error(429, {"retry-after-ms": "250"}), 3)) == 0.25
    assert wait(_state(_status_error(429, {"Retry-After": "9999"}), 1)) == 30.0  # capped


def test_which_failures_are_retried():
    assert is_retryable(_status_error(429)) and is_retryable(_status_error(502))
    assert not is_retryable(_status_error(400))
    assert retry_after_seconds(_status_error(429)) is None


@pytest.mark.parametrize("text", [
    '{"tool": "get_360", "arguments": {"customer": 4}}',
    'Sure!\n```json\n{"tool": "get_360", "arguments": {"customer": 4}}\n```',
    'I will call {"tool": "get_360", "arguments": "{\\"customer\\": 4}"} now',
])
def test_json_steps_tolerate_fences_prose_and_double_encoding(text):
    step = parse_step(text)
    assert isinstance(step, ToolCalls) and step.calls[0].name == "get_360"
    assert step.calls[0].arguments == {"customer": 4} and step.calls[0].error is None


def test_json_reply_and_garbage():
    assert parse_step('{"reply": "Hello"}') == Reply("Hello")
    garbage = parse_step("I think you should call Rahim")
    assert isinstance(garbage, ToolCalls) and "not one JSON object" in garbage.calls[0].error
    assert extract_json_object("{broken {\"a\": 1}") == {"a": 1}
