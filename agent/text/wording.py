"""Reply wording: ``draft_reply``'s draft rewritten in the requested tone and language by the LLM.

The verdict (allowed / blocked_reason / next_allowed_at / alternative_channel) is the tool's and is
never touched. The rewrite is accepted only when it keeps every number, date, link and placeholder
of the draft and adds none; otherwise the tool's own draft stands.
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


def reword(payload: dict[str, Any], llm: TextLLM | None) -> dict[str, str]:
    """{"text", "source"}: the LLM's rewrite when it keeps the draft's facts, else the draft itself."""
    draft = payload.get("draft") or ""
    fallback = {"text": draft, "source": "template"}
    if llm is None or not llm.enabled or not draft.strip():
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
    return {"text": masker.unmask(text), "source": "llm"}
