"""Model backends behind one interface: ``backend.decide(request) -> ToolCalls | Reply``.

Chosen by ``settings.llm_backend``: ``offline`` (the deterministic model, no LLM), ``openai``
(native tool calling on any OpenAI-compatible server), ``openai-json`` (the same server, one JSON
object per step, for servers whose tool calling is unreliable). ``auto`` means openai when an LLM
is configured (base URL or key), else offline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import httpx

from agent.decisions import Decision
from domain.settings import Settings
from tools.context import Actor


@dataclass
class ModelRequest:
    """Everything a backend may look at for one step of a turn. ``messages`` are unmasked."""

    messages: list[dict[str, Any]]
    context: dict[str, Any]
    now: datetime
    actor: Actor
    tools: list[dict[str, Any]] = field(default_factory=list)  # OpenAI tool schemas
    approval_required: bool = True
    results: list[dict[str, Any]] = field(default_factory=list)  # this turn's calls: {name, arguments, result}
    tool_required: bool = False  # the step must call a tool (sent as tool_choice where supported)
    known_tools: list[str] = field(default_factory=list)  # every tool name, offered this step or not
    all_tools: list[dict[str, Any]] = field(default_factory=list)  # every tool schema (``tools`` may be fewer)

    def turn_results(self) -> list[dict[str, Any]]:
        """The tool results of this turn so far (what the model has learnt since the user spoke)."""
        return list(self.results)


class ModelBackend(Protocol):
    name: str

    def decide(self, request: ModelRequest) -> Decision:
        """The next step: tool calls to make, or the reply to the user."""


def resolve_backend_name(settings: Settings) -> str:
    """``auto`` -> ``openai`` when an LLM is configured, else ``offline``."""
    if settings.llm_backend != "auto":
        return settings.llm_backend
    return "openai" if settings.llm_configured else "offline"


def make_backend(settings: Settings, sessions=None, *, http_client: httpx.Client | None = None) -> ModelBackend:
    """The backend the settings choose. ``sessions`` feeds the offline model's dictionaries."""
    name = resolve_backend_name(settings)
    from agent.backends.offline import OfflineBackend

    if name not in ("openai", "openai-json"):
        return OfflineBackend(settings, sessions)
    if name == "openai":
        from agent.backends.openai_tools import OpenAIToolsBackend as LLMBackend
    else:
        from agent.backends.openai_json import OpenAIJsonBackend as LLMBackend
    backend = LLMBackend(settings, http_client=http_client)
    if not settings.llm_referee or sessions is None:
        return backend
    from agent.referee import RefereedBackend

    return RefereedBackend(backend, OfflineBackend(settings, sessions), settings)
