"""``GET /metrics``: Prometheus text with turns, tool calls and writes by tool and outcome, LLM calls and
tokens, and no personal data in any label (every label value comes from a closed vocabulary)."""
from __future__ import annotations

import httpx
import openai
import pytest
import respx
from prometheus_client.parser import text_string_to_metric_families

from agent.backends.llm_client import chat
from agent.decisions import ModelUnavailable
from domain.settings import Settings
from tests.agent.llm_mock import BASE_URL, completion
from tools import telemetry
from tools.registry import load_tools

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # counters, not storage


def samples(api) -> dict[tuple[str, tuple], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(snapshot, name: str, **labels) -> float:
    return snapshot.get((name, tuple(sorted(labels.items()))), 0.0)


def test_turns_tool_calls_and_writes_are_counted_by_tool_and_outcome(api):
    before = samples(api)
    chat = lambda text: api.client.post("/chat", json={"message": text}, headers=api.auth())  # noqa: E731
    assert chat("show me Rahim Uddin").status_code == 200
    pending = chat("log a call with Rahim Uddin, no answer").json()
    api.client.post(f"/chat/{pending['thread_id']}/decision", json={"decision": "approve"}, headers=api.auth())
    after = samples(api)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("c360_tool_calls_total", tool="get_360", kind="read", outcome="ok") >= 1
    assert delta("c360_tool_calls_total", tool="log_interaction", kind="write", outcome="ok") == 1
    assert delta("c360_writes_total", tool="log_interaction", outcome="written") == 1
    assert delta("c360_agent_turns_total", channel="http", outcome="awaiting_approval") == 1
    assert delta("c360_agent_turns_total", channel="http", outcome="replied") >= 2
    assert delta("c360_agent_turn_seconds_count", channel="http") >= 3
    assert delta("c360_tool_call_seconds_count", tool="log_interaction") == 1


def test_llm_calls_tokens_and_errors_are_counted(api):
    settings = Settings(_env_file=None, llm_base_url=BASE_URL, llm_api_key="k", llm_model="m", llm_max_retries=0)
    http = httpx.Client()
    client = openai.OpenAI(base_url=BASE_URL, api_key="k", http_client=http, max_retries=0)
    ok = completion({"content": "hi"})
    body = ok.json()
    body["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    before = samples(api)
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(side_effect=[httpx.Response(200, json=body),
                                                           httpx.Response(500, json={"error": "boom"})])
        chat(client, settings, messages=[{"role": "user", "content": "hello"}])
        with pytest.raises(ModelUnavailable):
            chat(client, settings, messages=[{"role": "user", "content": "hello"}])
    http.close()
    after = samples(api)
    assert value(after, "c360_llm_tokens_total", kind="prompt") - value(before, "c360_llm_tokens_total", kind="prompt") == 11
    assert value(after, "c360_llm_tokens_total", kind="completion") - value(
        before, "c360_llm_tokens_total", kind="completion") == 7
    assert value(after, "c360_llm_calls_total", outcome="ok") - value(before, "c360_llm_calls_total", outcome="ok") == 1
    assert value(after, "c360_llm_calls_total", outcome="http_500") - value(
        before, "c360_llm_calls_total", outcome="http_500") == 1


def test_no_label_carries_personal_data(api):
    api.client.post("/chat", json={"message": "show me Rahim Uddin 01712345678"}, headers=api.auth())
    api.client.post("/chat", json={"message": "log a call with rahim@example.com, no answer"}, headers=api.auth())
    telemetry.watch_queue("slack_background", lambda: 0)
    text = api.client.get("/metrics").text
    allowed = {
        "tool": {*load_tools(), "unknown"}, "kind": {"read", "write", "unknown", "prompt", "completion"},
        "outcome": {"ok", "error", "written", "replayed", "replied", "awaiting_approval", "unavailable",
                    *telemetry.ERROR_CODES} | {f"http_{code}" for code in range(100, 600)},
        "channel": {*telemetry.CHANNELS, "other"}, "queue": {"slack_background"},
        "status": {str(code) for code in range(100, 600)},
    }
    seen = set()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for label, label_value in sample.labels.items():
                if label == "le":  # histogram bucket bounds
                    float(label_value)
                    continue
                assert label in allowed, f"unexpected label {label} on {sample.name}"
                assert label_value in allowed[label], f"{sample.name}{{{label}={label_value!r}}}"
                seen.add(label)
    assert {"tool", "outcome", "channel"} <= seen
    for private in ("Rahim", "rahim", "01712345678", "1712345678", "example.com", "Rina", api.tokens["rina"]):
        assert private not in text
