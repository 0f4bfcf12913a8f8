"""Keep a thread's stored conversation bounded: old turns are dropped and folded into a short summary.

Checkpoints hold the whole message list each time, so an unbounded list would make every
checkpoint of a long thread larger than the last. Cuts happen only before a user message, so an
assistant's tool calls always stay with their results.
"""
from __future__ import annotations

import json
from typing import Any

SUMMARY_LINES = 12  # the summary itself is bounded too


def trim_messages(messages: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(kept, dropped): at most ``limit`` messages kept, starting at a user message (more only when
    the newest turn alone is longer: a turn is never split)."""
    if len(messages) <= limit:
        return list(messages), []
    start = len(messages) - limit
    while start < len(messages) and messages[start].get("role") != "user":
        start += 1
    if start == len(messages):  # the newest turn alone is longer than the limit: keep it whole
        start = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=0)
    return list(messages[start:]), list(messages[:start])


def summarise(dropped: list[dict[str, Any]], previous: list[str] | None = None) -> list[str]:
    """Short lines saying what the dropped turns asked and did (deterministic, from the messages)."""
    lines = list(previous or [])
    names: dict[str, str] = {}
    for message in dropped:
        role = message.get("role")
        if role == "user":
            lines.append("user asked: " + _clip(message.get("content") or ""))
        elif role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                names[call["id"]] = call["function"]["name"]
        elif role == "tool":
            outcome = _outcome(message.get("content") or "")
            lines.append(f"{names.get(message.get('tool_call_id'), 'a tool')}: {outcome}")
    return lines[-SUMMARY_LINES:]


def _clip(text: str, size: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _outcome(content: str) -> str:
    body = content.split(">", 1)[-1].rsplit("</data>", 1)[0]
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return _clip(body)
    if not isinstance(payload, dict):
        return _clip(body)
    return _clip(str(payload.get("text") or payload.get("message") or ""))
