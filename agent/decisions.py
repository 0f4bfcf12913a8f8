"""What a model backend answers at each step: some tool calls, or a reply to the user.

Every backend (offline, openai, openai-json, the scripted test model) returns one of these, so the
graph never depends on a backend's wire format.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass
class ToolCall:
    """One call the model asked for. ``error`` is set when its arguments could not be parsed."""

    name: str
    arguments: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:12]}")
    error: str | None = None  # e.g. "arguments are not valid JSON: ..."
    corrected: list[str] = field(default_factory=list)  # what the referee changed, in the user's words

    def as_message_call(self) -> dict[str, Any]:
        """The OpenAI chat-format entry stored in the assistant message."""
        import json

        raw = json.dumps(self.arguments or {}, ensure_ascii=False)
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": raw}}


@dataclass
class ToolCalls:
    calls: list[ToolCall]
    text: str = ""  # anything the model said alongside the calls
    memory: dict[str, Any] | None = None  # backend state to keep for the next step (offline model)


@dataclass
class Reply:
    text: str
    memory: dict[str, Any] | None = None
    kind: str = "answer"  # answer, clarify (a question to the user), out_of_scope, unreadable


Decision = Union[ToolCalls, Reply]


class ModelUnavailable(RuntimeError):
    """The language model could not answer (server error, rate limit, timeout) after its retries."""

    def __init__(self, reason: str, *, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def as_decision(value: Any) -> Decision:
    """Accept a Decision from any backend, including ones defined with their own (duck-typed) classes."""
    if isinstance(value, (ToolCalls, Reply)):
        return value
    calls = getattr(value, "calls", None)
    if calls is not None:
        converted = []
        for call in calls:
            if isinstance(call, ToolCall):
                converted.append(call)
                continue
            get = call.get if isinstance(call, dict) else lambda k, d=None, c=call: getattr(c, k, d)
            kwargs = {"name": get("name"), "arguments": get("arguments") or get("args") or {}}
            if get("id"):
                kwargs["id"] = get("id")
            converted.append(ToolCall(**kwargs))
        return ToolCalls(converted, text=getattr(value, "text", "") or "")
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return Reply(text)
    if isinstance(value, str):
        return Reply(value)
    raise TypeError(f"a model returned {type(value).__name__}; expected ToolCalls or Reply")
