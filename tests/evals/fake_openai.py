"""A local OpenAI-compatible chat server for smoke tests: a real HTTP server on 127.0.0.1, in a thread.

It answers ``POST /v1/chat/completions`` from a small deterministic script keyed on the conversation:
the newest user message picks a ``Rule``; the model step calls the rule's tool (native ``tool_calls``
when the request offers ``tools``: the ``openai`` backend; a ``{"tool": ..., "arguments": ...}`` JSON
answer when it asks for the ``c360_step`` schema: ``openai-json``), and once the tool's result is in
the conversation the rule writes the reply from that result. Grounded-text tasks
(``insight_explanation``) get a short grounded answer; other text tasks get ``{}``, so their callers
keep their templates. The answers are rendered, and every request body recorded, by ``MockLLM`` of
tests/agent/llm_mock.py; every 200 answer carries ``usage``; ``fail_next`` makes requests answer 500.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.agent.llm_mock import MockLLM

NOW_NOTE = re.compile(r"Now: (\d{4}-\d{2}-\d{2})T")
TODAY = re.compile(r"Today is \w+ (\d{4}-\d{2}-\d{2})")
DATA = re.compile(r"<data[^>]*>(.*?)</data>", re.DOTALL)
NO_RULE = "(the fake model has no rule for this message)"


@dataclass
class Rule:
    """What the fake model does when the newest user message (masked, as the model sees it) matches."""

    pattern: str
    tool: str | None = None  # None: answer directly, no tool
    # the arguments, from the match and the day the system prompt says it is
    arguments: Callable[[re.Match, date], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    reply: Callable[[dict[str, Any], re.Match], str] | str = ""  # from the tool's result payload

    def call_arguments(self, match: re.Match, today: date) -> dict[str, Any]:
        return self.arguments(match, today) if callable(self.arguments) else dict(self.arguments)

    def reply_text(self, result: dict[str, Any], match: re.Match) -> str:
        return self.reply(result, match) if callable(self.reply) else self.reply


def prompt_today(body: dict[str, Any]) -> date:
    """The date the prompt gives: the newest context note ("Now: 2026-11-20T10:30+06:00"), which rides
    on the user messages after the stable system prompt, or the system prompt's "Today is ..."."""
    for message in reversed(body["messages"]):
        content = message.get("content") or ""
        found = NOW_NOTE.findall(content) if message.get("role") == "user" else []
        if found:
            return date.fromisoformat(found[-1])
    found = TODAY.search(body["messages"][0].get("content") or "")
    if found is None:
        raise ValueError("the prompt does not say what day it is")
    return date.fromisoformat(found.group(1))


def is_tool_result(message: dict[str, Any]) -> bool:
    """A tool result: a ``tool`` message (native), or a user message "Result of ..." (JSON protocol)."""
    content = message.get("content") or ""
    return message.get("role") == "tool" or (message.get("role") == "user" and content.startswith("Result of "))


def result_payload(message: dict[str, Any]) -> dict[str, Any]:
    """The JSON inside a tool result's ``<data>`` block."""
    found = DATA.search(message.get("content") or "")
    return json.loads(found.group(1)) if found else {}


def insight_answer(prompt: str) -> dict[str, Any]:
    """One explanation per item of an ``insight_explanation`` prompt, naming the customer and no number."""
    blocks = DATA.findall(prompt)  # the prompt's prose mentions "<data> ... </data>" before the real block
    explanations = []
    for line in (blocks[-1] if blocks else "").splitlines():
        if line.strip():
            item = json.loads(line)
            facts = item.get("facts") or {}
            name = facts.get("name") or facts.get("customer_name") or "This customer"
            explanations.append({"key": item["key"], "text": f"{name} is worth a call now."})
    return {"explanations": explanations}


class FakeOpenAI:
    """The server and its script. ``url`` is the base URL to configure (``.../v1``)."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.mock = MockLLM()  # renders the answers, records every body (``bodies``, ``raw_bodies``)
        self.statuses: list[int] = []
        self.usage: list[dict[str, int]] = []  # the usage of every 200 answer, in order
        self.errors: list[str] = []  # requests the fake itself could not handle (a bug in it or its script)
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """The next ``count`` requests answer HTTP ``status`` (the client is expected to retry)."""
        with self._lock:
            self._failures.extend([status] * count)

    def reset(self) -> None:
        with self._lock:
            self.mock.bodies.clear()
            self.mock.raw_bodies.clear()
            self.statuses.clear()
            self.usage.clear()
            self.errors.clear()
            self._failures.clear()

    def handle(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer) for one request."""
        if path.rstrip("/") != "/v1/chat/completions":
            return 404, {"error": {"message": f"no route {path}", "type": "not_found"}}
        with self._lock:
            body = json.loads(raw)
            if self._failures:
                step: Any = httpx.Response(self._failures.pop(0),
                                           json={"error": {"message": "scripted failure", "type": "server_error"}})
            else:
                self.mock.mode = "openai" if body.get("tools") else "openai-json"
                step = self.answer(body)
            self.mock.add(step)
            response = self.mock(httpx.Request("POST", self.url + "/chat/completions", content=raw))
            answer = response.json()
            if response.status_code == 200:
                message = answer["choices"][0]["message"]
                spoken = (message.get("content") or "") + json.dumps(message.get("tool_calls") or "")
                prompt, completion = max(1, len(raw) // 4), max(1, len(spoken) // 4)
                answer["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion,
                                   "total_tokens": prompt + completion}
                self.usage.append(answer["usage"])
            self.statuses.append(response.status_code)
            return response.status_code, answer

    def answer(self, body: dict[str, Any]) -> tuple:
        """The next step as a MockLLM step: ("tool", name, args), ("reply", text) or ("text", content)."""
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        if not body.get("tools") and schema != "c360_step":  # a grounded-text task, not an agent step
            prompt = body["messages"][-1].get("content") or ""
            return ("text", json.dumps(insight_answer(prompt) if schema == "insight_explanation" else {}))
        messages = body["messages"][1:]  # after the system prompt
        newest = max((i for i, m in enumerate(messages) if m["role"] == "user" and not is_tool_result(m)),
                     default=None)
        if newest is None:
            return ("reply", NO_RULE)
        text = messages[newest].get("content") or ""
        for rule in self.rules:
            match = re.search(rule.pattern, text, re.IGNORECASE)
            if match is None:
                continue
            results = [result_payload(m) for m in messages[newest + 1:] if is_tool_result(m)]
            try:
                if rule.tool is None or results:
                    return ("reply", rule.reply_text(results[-1] if results else {}, match))
                return ("tool", rule.tool, rule.call_arguments(match, prompt_today(body)))
            except (KeyError, IndexError, TypeError, ValueError) as exc:  # a result not shaped as the script expects
                self.errors.append(f"rule {rule.pattern!r}: {exc!r}")
                return ("reply", f"(the fake model's script failed: {exc!r})")
        return ("reply", NO_RULE)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return self.mock.bodies

    @property
    def raw_bodies(self) -> list[str]:
        return self.mock.raw_bodies


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # the http.server API names it
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        try:
            status, answer = fake.handle(self.path, raw)
        except Exception as exc:  # answer, so the client does not wait on a dead socket; the test sees it
            fake.errors.append(f"{type(exc).__name__}: {exc}")
            status, answer = 500, {"error": {"message": f"the fake failed: {exc!r}", "type": "fake_error"}}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass
