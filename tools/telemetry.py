"""What ``/metrics`` shows, in Prometheus's format: turns, tool calls, writes, LLM use, Slack acks, queues.

The layers above record through small hooks (a decorator on ``tools.registry.call_tool`` and on the
agent's turn, one call in the LLM client and in the Slack endpoint). Labels never carry personal
data: tool names come from the registry (anything else is ``unknown``), outcomes from a closed set
of error codes, channels from the thread id's prefix; never a customer, a user, a text or an id.
Each ``c360 serve`` process counts its own: scrape every process, not the proxy in front.
"""
from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

ERROR_CODES = {"not_found", "ambiguous", "invalid", "forbidden", "conflict", "unknown_tool", "internal",
               "cancelled"}
CHANNELS = ("cli", "slack", "http", "web", "mcp", "eval")
_CHANNEL = re.compile(r"^([a-z]+)")

TURNS = Counter("c360_agent_turns", "Agent turns by channel and outcome (replied, awaiting_approval, error).",
                ["channel", "outcome"], registry=REGISTRY)
TURN_SECONDS = Histogram("c360_agent_turn_seconds", "Time from a user's message to the turn's answer.",
                         ["channel"], registry=REGISTRY,
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
TOOL_CALLS = Counter("c360_tool_calls", "Tool calls by tool, kind (read, write) and outcome (ok or error code).",
                     ["tool", "kind", "outcome"], registry=REGISTRY)
TOOL_SECONDS = Histogram("c360_tool_call_seconds", "Time one tool call takes, by tool.", ["tool"],
                         registry=REGISTRY, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
WRITES = Counter("c360_writes", "Write tool calls by tool and outcome (written, replayed, or the error code).",
                 ["tool", "outcome"], registry=REGISTRY)
LLM_CALLS = Counter("c360_llm_calls", "Calls to the LLM endpoint by outcome (ok, or why it failed).",
                    ["outcome"], registry=REGISTRY)
LLM_SECONDS = Histogram("c360_llm_call_seconds", "Time one LLM call takes, retries included.", registry=REGISTRY,
                        buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
LLM_TOKENS = Counter("c360_llm_tokens", "Tokens the LLM endpoint reported, by kind (prompt, completion).",
                     ["kind"], registry=REGISTRY)
SLACK_ACKS = Counter("c360_slack_acks", "Answers to Slack's requests (the acknowledgement), by HTTP status.",
                     ["status"], registry=REGISTRY)
SLACK_ACK_SECONDS = Histogram("c360_slack_ack_seconds", "Time to acknowledge a Slack request (Slack allows 3 s).",
                              registry=REGISTRY, buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5))
QUEUE_DEPTH = Gauge("c360_queue_depth", "Work waiting or running in the background, by queue.", ["queue"],
                    registry=REGISTRY)


def render() -> bytes:
    """The current values in Prometheus's text format."""
    return generate_latest(REGISTRY)


def channel_of(thread_id: str | None) -> str:
    """The channel a conversation came through, from its id's prefix (``slack:...``, ``cli-...``)."""
    match = _CHANNEL.match(thread_id or "")
    return match.group(1) if match and match.group(1) in CHANNELS else "other"


def _outcome(result: Any) -> str:
    if getattr(result, "ok", False):
        return "ok"
    code = getattr(result, "error", None)
    return code if code in ERROR_CODES else "error"


def observed_tool_call(call_tool: Callable[..., Any]) -> Callable[..., Any]:
    """Decorates ``call_tool(name, raw_args, ctx)``: counts and times every call by tool and outcome."""

    @functools.wraps(call_tool)
    def observed(name: str, raw_args: Any, ctx: Any) -> Any:
        from tools.registry import REGISTRY as TOOLS

        started = time.perf_counter()
        result = call_tool(name, raw_args, ctx)
        spec = TOOLS.get(name)
        tool = name if spec is not None else "unknown"
        kind = spec.kind if spec is not None else "unknown"
        outcome = _outcome(result)
        TOOL_CALLS.labels(tool, kind, outcome).inc()
        TOOL_SECONDS.labels(tool).observe(time.perf_counter() - started)
        if kind == "write":
            written = "replayed" if getattr(result, "replayed", False) else "written"
            WRITES.labels(tool, written if outcome == "ok" else outcome).inc()
        return result

    return observed


def observed_turn(stream: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Decorates the agent's ``_stream(self, thread_id, ...)``: one count and one duration per turn."""

    @functools.wraps(stream)
    def observed(self: Any, thread_id: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        channel = channel_of(thread_id)
        started = time.perf_counter()
        outcome = "error"
        try:
            for event in stream(self, thread_id, *args, **kwargs):
                if getattr(event, "kind", None) == "final":
                    outcome = "awaiting_approval" if getattr(event.data, "pending", None) else "replied"
                yield event
        finally:
            TURNS.labels(channel, outcome).inc()
            TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)

    return observed


@contextmanager
def llm_call() -> Iterator[None]:
    """Around one LLM call (with its retries): its duration, and ok or the kind of failure."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except Exception as exc:
        status = getattr(exc, "status", None)
        outcome = f"http_{status}" if isinstance(status, int) else "unavailable"
        raise
    finally:
        LLM_CALLS.labels(outcome).inc()
        LLM_SECONDS.observe(time.perf_counter() - started)


def llm_tokens(usage: Any) -> None:
    """Add the token counts an LLM response reported (servers may report none)."""
    if usage is None:
        return
    LLM_TOKENS.labels("prompt").inc(getattr(usage, "prompt_tokens", 0) or 0)
    LLM_TOKENS.labels("completion").inc(getattr(usage, "completion_tokens", 0) or 0)


def slack_ack(status: int, seconds: float) -> None:
    SLACK_ACKS.labels(str(status)).inc()
    SLACK_ACK_SECONDS.observe(seconds)


def watch_queue(name: str, depth: Callable[[], float]) -> None:
    """Report ``depth()`` as the queue's size whenever ``/metrics`` is read."""
    QUEUE_DEPTH.labels(name).set_function(depth)
