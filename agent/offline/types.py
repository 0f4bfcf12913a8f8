"""The values the offline model takes and returns: messages, decisions, conversation context."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Message:
    """One chat message; ``role`` is "user", "assistant" or "tool"."""

    role: str
    content: str


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class CustomerRef:
    id: int
    name: str


@dataclass(frozen=True)
class DropoffRef:
    """A drop-off (abandoned cart) seen in a tool result, so "mark the kettle cart recovered" can find it."""

    id: int
    customer_id: int | None = None
    product: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One option of a clarifying question: a customer (name, city) or a drop-off (name = its product)."""

    id: int
    name: str
    city: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class PendingClarification:
    """A tool call waiting for one missing argument the user was asked for.

    ``missing`` is the argument name ("customer", "type", "relationship", "name", "channel",
    "dropoff_id", "date_of_birth"); ``candidates`` are the numbered options offered, if any.
    """

    tool: str
    arguments: dict[str, Any]
    missing: str
    question: str
    candidates: tuple[Candidate, ...] = ()
    attempts: int = 0  # answers not understood so far (the second one ends the question: never a loop)


@dataclass(frozen=True)
class ConversationContext:
    """What the conversation has established so far. The model returns an updated copy with every decision."""

    last_customer: CustomerRef | None = None
    last_dropoff: DropoffRef | None = None
    recent_dropoffs: tuple[DropoffRef, ...] = ()
    last_tool: str | None = None
    pending: PendingClarification | None = None
    listed: tuple[CustomerRef, ...] = ()  # the customers of the last list shown, in order (for ordinal answers)
    last_call: ToolCall | None = None  # the last call decided (a follow-up repeats or changes it)
    unsent: bool = False  # True from deciding a write until its result comes back (declined: never)
    several: tuple[CustomerRef, ...] = ()  # customers the last request named together
    recent: tuple[CustomerRef, ...] = ()  # customers of the last turns, newest first (preferred among namesakes)
    notice: str | None = None  # said with the next reply (which namesake was taken, and why)

    def evolve(self, **changes: Any) -> ConversationContext:
        return replace(self, **changes)

    def remembering(self, customer: CustomerRef | None) -> ConversationContext:
        """This context with ``customer`` first among the recent ones (the last five)."""
        if customer is None:
            return self
        return replace(self, recent=(customer, *[c for c in self.recent if c.id != customer.id])[:5])


@dataclass(frozen=True)
class ToolCalls:
    """Run these tools, then call ``respond`` with their results. ``context`` is the context to store."""

    calls: list[ToolCall]
    context: ConversationContext = field(default_factory=ConversationContext)


@dataclass(frozen=True)
class Reply:
    """Text for the user. ``kind``: answer, clarify (a question; ``context.pending`` holds it), out_of_scope."""

    text: str
    context: ConversationContext = field(default_factory=ConversationContext)
    kind: str = "answer"


Decision = ToolCalls | Reply


@dataclass(frozen=True)
class ToolResult:
    """What one tool returned. ``result`` is the tool's dict (or an error dict)."""

    name: str
    arguments: dict[str, Any]
    result: Any


def message_parts(message: Any) -> tuple[str, str]:
    """(role, text) of a Message, a {"role", "content"} dict or a LangChain-style message."""
    if isinstance(message, dict):
        return str(message.get("role", "user")), str(message.get("content") or "")
    role = getattr(message, "role", None) or getattr(message, "type", None) or "user"
    role = {"human": "user", "ai": "assistant"}.get(role, role)
    content = getattr(message, "content", "")
    if isinstance(content, list):  # multi-part content: keep the text parts
        content = " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(role), str(content or "")


def last_user_text(messages: Iterable[Any]) -> str:
    """The newest user message's text ("" when there is none)."""
    for message in reversed(list(messages)):
        role, text = message_parts(message)
        if role == "user":
            return text
    return ""


def coerce_result(item: Any) -> ToolResult:
    """Accept a ToolResult, or a dict {"name"/"tool", "arguments", "result"}."""
    if isinstance(item, ToolResult):
        return item
    if isinstance(item, dict) and "result" in item:
        return ToolResult(
            name=str(item.get("name") or item.get("tool") or ""),
            arguments=dict(item.get("arguments") or {}),
            result=item["result"],
        )
    return ToolResult(name="", arguments={}, result=item)
