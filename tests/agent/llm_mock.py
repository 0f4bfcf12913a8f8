"""A scripted OpenAI-compatible chat endpoint for respx: native tool calls, or JSON-only answers.

Each step is a function of the request (parsed body) returning ``("tool", name, args)``,
``("reply", text)``, ``("raw_args", name, raw_json_text)``, ``("text", content)`` or an
``httpx.Response`` / exception for failures. Every request body is recorded.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

import httpx

BASE_URL = "http://llm.test/v1"


def completion(message: dict[str, Any], finish: str = "stop") -> httpx.Response:
    return httpx.Response(200, json={
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", **message}}],
    })


class MockLLM:
    def __init__(self, mode: str = "openai", *, steps_only: bool = False):
        self.mode = mode  # "openai": native tool calls; "openai-json": JSON in the content only
        self.steps_only = steps_only  # text tasks (explanations, summaries) answer {} and keep the script
        self.steps: list[Callable[[dict], Any] | tuple | httpx.Response | Exception] = []
        self.bodies: list[dict[str, Any]] = []
        self.raw_bodies: list[str] = []
        self._n = 0

    def add(self, *steps) -> "MockLLM":
        self.steps.extend(steps)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raw = request.content.decode()
        self.raw_bodies.append(raw)
        body = json.loads(raw)
        self.bodies.append(body)
        if self.steps_only and not is_agent_step(body):
            return completion({"content": "{}"})
        step = self.steps.pop(0) if self.steps else ("reply", "(no more script)")
        if callable(step) and not isinstance(step, (tuple, httpx.Response)):
            step = step(body)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return self.render(step)

    def render(self, step: tuple) -> httpx.Response:
        self._n += 1
        kind = step[0]
        if kind == "text":
            return completion({"content": step[1]})
        if self.mode == "openai-json":
            if kind == "tool":
                return completion({"content": json.dumps({"tool": step[1], "arguments": step[2]})})
            if kind == "raw_args":
                return completion({"content": f'{{"tool": "{step[1]}", "arguments": {step[2]}'})
            return completion({"content": json.dumps({"reply": step[1]})})
        if kind in ("tool", "raw_args"):
            arguments = json.dumps(step[2]) if kind == "tool" else step[2]
            return completion({"content": None, "tool_calls": [{
                "id": f"call_{self._n}", "type": "function",
                "function": {"name": step[1], "arguments": arguments}}]}, finish="tool_calls")
        return completion({"content": step[1]})


def system_text(body: dict[str, Any]) -> str:
    """Everything the model is told besides the conversation: the instructions and the context notes
    (the volatile part rides on the user messages, after the stable prefix)."""
    return "\n".join(m.get("content") or "" for m in body["messages"] if m.get("role") in ("system", "user"))


def last_discussed_id(body: dict[str, Any]) -> int:
    """What a model would do with "him": take the id of the customer the newest context note names."""
    matches = re.findall(r"Customer last discussed: .+? \(id (\d+)\)", system_text(body))
    match = matches[-1] if matches else None
    assert match, "the system prompt should name the customer last discussed"
    return int(match)


def tool_feedback(body: dict[str, Any]) -> str:
    """The tool results (native) or "Result of" messages (JSON mode) of the request, joined."""
    return "\n".join(m.get("content") or "" for m in body["messages"]
                     if m["role"] == "tool" or (m["role"] == "user" and (m.get("content") or "").startswith("Result of")))


def is_agent_step(body: dict[str, Any]) -> bool:
    """An agent step (tools offered, or the ``c360_step`` JSON schema), not a text task."""
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    return bool(body.get("tools")) or schema == "c360_step"
