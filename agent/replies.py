"""The words the user sees about writes come from tool results, never from the model.

``compose_reply`` removes every sentence in which the model claims a write, and states what was
written (the write tools' own renderings), what was cancelled and what failed.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_TOOL_CONTENT = 8000  # characters of one tool result shown to a model

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*\s*")
_WRITE_VERB = (r"(logged|saved|added|recorded|marked|scheduled|created|updated|written|stored|noted|booked|set up|"
               r"sent|delivered|emailed|messaged|texted|forwarded|tagged|removed|deleted|changed|cancelled)")
# what a write makes: "Call logged.", "Message sent to Rahim", "Follow-up scheduled for Friday"
_RECORD = (r"(call|note|message|interaction|follow[- ]?up|reminder|draft|reply|email|sms|whatsapp|tag|consent|"
           r"deal|opportunity|family member|visit|meeting|entry|record|cart|it|that|this)")
_CLAIM = re.compile(
    rf"^\s*(✅|✔|done\b|all set\b|ok\b[,.:]?\s*)|"
    rf"\b(i|i've|i have|i had|we|we've|we have|has been|have been|is now|are now|successfully)\b[^.!?]*\b{_WRITE_VERB}\b|"
    rf"^\s*{_WRITE_VERB}\b|"
    rf"\b{_WRITE_VERB}\s+successfully\b|"
    rf"^\s*(the\s+|your\s+|a\s+|his\s+|her\s+)?([\w-]+\s+)?{_RECORD}\s+(was\s+|were\s+)?{_WRITE_VERB}\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(not|n't|never|no longer|nothing|cannot|can't|couldn't|wasn't|won't|haven't)\b", re.IGNORECASE)


def claims_write(sentence: str) -> bool:
    """True when the sentence says something was written (and is not a question or a denial)."""
    stripped = sentence.strip()
    if not stripped or stripped.endswith("?") or _NEGATION.search(stripped):
        return False
    return bool(_CLAIM.search(stripped))


def sentences(text: str) -> list[str]:
    return _SENTENCE.findall(text or "")


def strip_write_claims(text: str, already_said: str = "") -> str:
    """``text`` without sentences that claim a write, nor ones the tool results already say."""
    said = " ".join(already_said.split())
    kept = [s for s in _SENTENCE.findall(text or "")
            if not claims_write(s) and not (said and " ".join(s.split()) in said)]
    return "".join(kept).strip()


def compose_reply(model_text: str, calls: list[dict[str, Any]]) -> str:
    """The reply of a turn: the writes as the tools reported them, then the model's words minus claims."""
    writes = [c for c in calls if c.get("write")]
    lines = []
    for call in writes:
        if call.get("status") == "done":
            lines.append("✅ " + (call.get("text") or f"{call['name']} done."))
        elif call.get("status") == "cancelled":
            lines.append(f"Cancelled: {describe_call(call)} — nothing was written.")
    text = strip_write_claims(model_text, " ".join(lines))
    done = any(c.get("status") == "done" for c in writes)
    if writes and not done and not any(c.get("status") == "cancelled" for c in writes):
        failures = [c for c in writes if c.get("status") == "failed"]
        reason = f" ({failures[-1].get('text')})" if failures and failures[-1].get("text") else ""
        if failures and not text:
            lines.append(f"Nothing was written{reason}.")
        elif failures:
            text += "\n(Nothing was written.)"
    # reads the referee corrected say so (a write's corrections were shown in its proposal)
    corrected = corrections_line([change for c in calls if not c.get("write") for change in c.get("corrected") or []])
    return "\n".join(part for part in [*lines, text, corrected] if part).strip() or "Nothing was written."


def corrections_line(changes: list[str] | None) -> str:
    """What the referee changed in the model's call, for the user: "" when nothing was."""
    unique = list(dict.fromkeys(changes or []))
    return f"(Checked against your words: {'; '.join(unique)}.)" if unique else ""


def describe_call(call: dict[str, Any]) -> str:
    customer = (call.get("customer") or {}).get("name") or (call.get("arguments") or {}).get("customer")
    what = call["name"].replace("_", " ")
    return f"{what} for {customer}" if customer else what


def tool_message_content(name: str, payload: dict[str, Any]) -> str:
    """A tool result as the model reads it: JSON inside <data> tags, which the prompt marks as data."""
    body = json.dumps(payload, ensure_ascii=False, default=str)
    if len(body) > MAX_TOOL_CONTENT:
        body = json.dumps({"ok": payload.get("ok", True), "text": payload.get("text", ""), "truncated": True},
                          ensure_ascii=False)
    body = body.replace("</data", "<\\/data")  # a customer's note cannot close the data block
    return f'<data tool="{name}">{body}</data>'


def unavailable_reply(reason: str, calls: list[dict[str, Any]]) -> str:
    done = compose_reply("", calls) if any(c.get("write") for c in calls) else ""
    text = f"Sorry, I can't answer right now: {reason}. Please try again in a moment."
    if not any(c.get("status") == "done" for c in calls if c.get("write")):
        text += " Nothing was written."
    return f"{done}\n{text}".strip() if done and done != "Nothing was written." else text


def step_limit_reply(limit: int, calls: list[dict[str, Any]]) -> str:
    done = compose_reply("", calls) if any(c.get("write") for c in calls) else ""
    text = (f"I stopped after {limit} steps without finishing. "
            "Could you rephrase the request, or split it into smaller ones?")
    return f"{done}\n{text}".strip() if done and done != "Nothing was written." else text


def repeated_failure_reply(call: dict[str, Any], calls: list[dict[str, Any]]) -> str:
    """The turn ends when the model repeats a call that failed: the tool's own error, in plain words."""
    done = compose_reply("", calls) if any(c.get("write") and c.get("status") == "done" for c in calls) else ""
    reason = (call.get("text") or call.get("error") or "it failed").removeprefix("invalid: ")
    if not call.get("name"):  # the model's answer could not be read, twice
        text = "I didn't understand the model's answer, so I stopped."
    else:
        text = f"I stopped: {call['name'].replace('_', ' ')} failed twice the same way ({reason})."
    if not any(c.get("write") and c.get("status") == "done" for c in calls):
        text += " Nothing was written."
    return f"{done}\n{text}".strip() if done else text
