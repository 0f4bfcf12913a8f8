"""The graph's state, persisted by the checkpointer after every step of a turn.

Every key is a plain last-value channel of JSON-like data (dicts, lists, strings), so checkpoints
serialise without custom types and any process can resume them. ``messages`` is the conversation
in OpenAI chat format, unmasked; the backends mask it on the way out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from domain.clock import Clock
from domain.settings import Settings
from tools.context import Actor


class AgentState(TypedDict, total=False):
    incoming: str | None  # the user's text: the input of a turn
    messages: list[dict[str, Any]]  # the conversation, bounded by settings.agent_history_messages
    context: dict[str, Any]  # who is being discussed (agent.context) and the backend's memory
    turn: int  # turns so far in this thread; part of every write's idempotency key
    steps: int  # model steps in this turn (bounded by settings.agent_max_steps)
    queue: list[dict[str, Any]]  # tool calls still to run this turn: {id, name, arguments, error}
    proposal: dict[str, Any] | None  # the write waiting for the user's approval: what they see
    calls: list[dict[str, Any]]  # tool calls made this turn: {id, name, arguments, ok, status, result}
    reply: str | None  # the final reply of the turn, once known


@dataclass(frozen=True)
class RunContext:
    """Per-run values that are not state: who is acting, on which thread, with what settings."""

    actor: Actor
    thread_id: str
    settings: Settings
    clock: Clock
