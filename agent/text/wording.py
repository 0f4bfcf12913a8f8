"""Reply wording: ``draft_reply``'s draft rewritten in the requested tone and language by the LLM.

The verdict (allowed / blocked_reason / next_allowed_at / alternative_channel) is the tool's and is
never touched. The rewrite is accepted only when it keeps every number, date, link and placeholder
of the draft and adds none, and keeps every fact the tool lists (``facts``: product, order, person,
offer...) and adds no name; otherwise the tool's own draft stands. An incomplete draft is never
reworded.
"""
from __future__ import annotations

import re
from typing import Any

from agent.text.grounding import ungrounded
from agent.text.llm import TextLLM

LANGUAGES = {"en": "English", "bn": "Bangla (Bengali script)"}
SCHEMA = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_KEEP = re.compile(r"https?://\S+|\[(?:PHONE|EMAIL)_\d+\]|\d[\d,.:/-]*")


def kept_tokens(draft: str) -> list[str]:
    """What a rewrite must keep verbatim: links, placeholders, numbers, amounts, dates, times."""
    return [token.rstrip(".,") for token in _KEEP.findall(draft or "")]


_NAME = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z0-9]+)*")


def fact_values(payload: dict[str, Any]) -> list[str]:
    """The facts ``draft_reply`` says its draft states (product, order, person, offer...), as written."""
    out = []
    for fact in payload.get("facts") or []:
        value = fact.get("value") if isinstance(fact, dict) else getattr(fact, "value", None)
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
    return out


def unbound_facts(text: str, draft: str, facts: list[str]) -> list[str]:
    """Grounding per fact: each fact of the draft missing from ``text``, and each name ``text`` adds
    (a capitalised word inside a sentence that neither the draft nor a fact has)."""
    plain, known = text.replace("*", "").lower(), f"{draft} {' '.join(facts)}".replace("*", "").lower()
    lost = [f for f in facts if f.replace("*", "").lower() not in plain]
    added = [m.group(0) for m in _NAME.finditer(text.replace("*", "")) if m.group(0).lower() not in known]
    return lost + added


def reword(payload: dict[str, Any], llm: TextLLM | None) -> dict[str, str]:
    """{"text", "source"}: the LLM's rewrite when it keeps the draft's facts, else the draft itself."""
    draft = payload.get("draft") or ""
    fallback = {"text": draft, "source": "template"}
    if llm is None or not llm.enabled or not draft.strip() or payload.get("complete") is False:
        return fallback
    masker = llm.masker()
    masked = masker.mask(draft)
    segments = payload.get("sms_segments")
    length_rule = f" and no longer than {160 * segments} characters (SMS)" if segments else ""
    answer = llm.complete_json(
        "reply_wording", SCHEMA, masker, draft=masked.replace("</data", "<\\/data"),
        tone=payload.get("tone") or "friendly", channel=payload.get("channel") or "the channel",
        language_name=LANGUAGES.get(payload.get("language") or "en", "English"), length_rule=length_rule,
    )
    text = (answer or {}).get("text")
    if not isinstance(text, str) or not text.strip():
        return fallback
    text = text.strip()
    if segments and len(text) > 160 * segments:
        return fallback
    if any(token not in text for token in kept_tokens(masked)) or ungrounded(text, {"draft": masked}):
        return fallback
    if unbound_facts(text, masked, [masker.mask(f) for f in fact_values(payload)]):
        return fallback
    return {"text": masker.unmask(text), "source": "llm"}
