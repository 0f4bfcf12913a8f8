"""What the LLM backends send, laid out for the servers' prefix caches.

Stable text first: the instructions (``prompts/agent_system``), then the tool schemas; the volatile
part last. Each user message carries its own note (who is asking, the time, the customer in focus:
``prompts/agent_turn``), frozen when the message arrived, so turn 2's prompt begins with turn 1's
prompt exactly and a server re-reads only the new messages. Everything sent is masked.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from agent.backends import ModelRequest
from agent.context import describe_context
from agent.privacy import Masker
from prompts import render
from tools.context import Actor

NOTE_KEY = "note"  # the frozen context note of a user message (agent.graph stores it)


def system_prompt(approval_required: bool) -> str:
    """The instructions: the same for every user, turn and step (the reusable prefix)."""
    approval = (
        "Writes are shown to the user for approval before they run: call the write tool with full "
        "arguments and let the user confirm."
        if approval_required
        else "Writes run as soon as you call them: call one only when the user asked for that change."
    )
    return render("agent_system", approval=approval)


def turn_note(actor: Actor, now: datetime, timezone: str, context: dict[str, Any]) -> str:
    """Who is asking, when, and who is in focus: appended to the user's message it belongs to."""
    return render("agent_turn", user_name=as_data(actor.name), user_role=str(actor.role),
                  now=now.isoformat(timespec="minutes"), timezone=timezone, weekday=f"{now:%A}",
                  context=as_data(describe_context(context)))


def chat_messages(request: ModelRequest, timezone: str, system: str, results: str = "json") -> list[dict[str, Any]]:
    """[system, ...conversation], each user message followed by its note; the newest user message gets
    a note from the request when the graph did not store one. ``results="text"``: long tool results
    as the tool's own words (``model_view``); the referee's notes to the user are not repeated to the model."""
    last_user = max((i for i, m in enumerate(request.messages) if m.get("role") == "user"), default=-1)
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for index, message in enumerate(request.messages):
        copy = {k: v for k, v in message.items() if k != NOTE_KEY}
        if message.get("role") == "user":
            note = message.get(NOTE_KEY)
            if note is None and index == last_user:
                note = turn_note(request.actor, request.now, timezone, request.context)
            if note:
                copy["content"] = f"{message.get('content') or ''}\n\n{note}"
        elif message.get("role") == "tool" and results == "text":
            copy["content"] = model_view(message.get("content") or "")
        elif message.get("role") == "assistant" and isinstance(copy.get("content"), str):
            copy["content"] = _REFEREE_NOTE.sub("", copy["content"]).strip()
        out.append(copy)
    return out


_DATA = re.compile(r'^<data tool="([^"]+)">(.*)</data>$', re.S)
_REFEREE_NOTE = re.compile(r"\n?\(Checked against your words: [^\n]*\)")
TEXT_VIEW_CHARS = 600  # a result longer than this (~170 tokens) is shown as the tool's words
MODEL_TEXT_CHARS = 640  # the tool's words as the model reads them: at most this much (~200 tokens)
MODEL_ROW_CHARS = 75  # one row of a list (a timeline item, a call-list entry), cut at a word
MODEL_LINE_CHARS = 160  # any other line
MODEL_BULLETS = 3  # "- " items of one block
_ROW = re.compile(r"^(?:- |\d+\. )")
_CLOCK = re.compile(r"^(- \d{4}-\d\d-\d\d) \d\d:\d\d\b")  # a row's time of day: the date is what the model needs
_OPAQUE = re.compile(r"=[A-Za-z0-9+/_-]{24,}={0,2}")  # a cursor: the model reads that there is one


def compact_words(text: str) -> str:
    """A tool's words for a small model: rows cut at a word, the first few bullets of a block, the
    whole within a budget by whole lines, each cut said in words. Deterministic, so the prompt's
    prefix holds; the user still sees (and grounding still checks) the tool's full result."""
    out: list[str] = []
    bullets = dropped = 0
    for line in text.splitlines():
        if line.startswith("- "):
            bullets += 1
            if bullets > MODEL_BULLETS:
                dropped += 1
                continue
        else:
            if dropped:
                out.append(f"(+{dropped} more)")
            bullets = dropped = 0
        line = _CLOCK.sub(r"\1", _OPAQUE.sub("=…", line))
        limit = MODEL_ROW_CHARS if _ROW.match(line) else MODEL_LINE_CHARS
        if len(line) > limit:
            line = line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:—·-") + " …"
        out.append(line)
    if dropped:
        out.append(f"(+{dropped} more)")
    kept: list[str] = []
    size = 0
    for i, line in enumerate(out):
        if size + len(line) + 1 > MODEL_TEXT_CHARS and kept:
            kept.append(f"(+{len(out) - i} more lines)")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def model_view(content: str) -> str:
    """A tool message as a small model reads it: the JSON without empty fields; when that is still
    long and the tool wrote its result in words, those words and the result's top-level ids and names.
    The same message always gives the same view, so the prompt's prefix stays reusable."""
    found = _DATA.match(content)
    if not found:
        return content
    try:
        payload = json.loads(found.group(2))  # "<\/data" in the stored JSON is a JSON escape of "</data"
    except json.JSONDecodeError:
        return content
    if not isinstance(payload, dict):
        return content
    view: Any = _without_empty(payload)
    body = json.dumps(view, ensure_ascii=False)
    if len(body) > TEXT_VIEW_CHARS and isinstance(payload.get("text"), str) and payload["text"].strip():
        view = {"ok": payload.get("ok", True), "text": compact_words(payload["text"])}
        view.update({k: v for k, v in payload.items() if k not in view and isinstance(v, (int, str))
                     and not isinstance(v, bool) and (k.endswith("id") or k.endswith("name")) and len(str(v)) <= 80})
        body = json.dumps(view, ensure_ascii=False)
    body = body.replace("</data", "<\\/data")
    return f'<data tool="{found.group(1)}">{body}</data>'


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def as_data(text: str) -> str:
    """Untrusted text for a ``<data>`` block of a prompt: it cannot close (or open) the block."""
    return (text or "").replace("</data", "<\\/data").replace("<data", "<\\data")


def masked_messages(messages: list[dict[str, Any]], masker: Masker) -> list[dict[str, Any]]:
    """Chat messages with every phone and email replaced, tool-call arguments included."""
    out = []
    for message in messages:
        copy = dict(message)
        if isinstance(copy.get("content"), str):
            copy["content"] = masker.mask(copy["content"])
        if copy.get("tool_calls"):
            copy["tool_calls"] = [
                {**call, "function": {**call["function"], "arguments": masker.mask(call["function"]["arguments"])}}
                for call in copy["tool_calls"]
            ]
        out.append(copy)
    return out
