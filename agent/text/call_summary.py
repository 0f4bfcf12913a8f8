"""Post-call summaries: summary, outcome, sentiment, follow-up date and products, from a call's text.

Proposed for ``log_interaction`` and confirmed by the user before anything is written. The rules
below always produce a summary; an LLM summary replaces it only when it passes validation (known
outcome, a follow-up that is a real future date, products from the catalogue, no invented numbers).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from agent.text.grounding import ungrounded
from agent.text.llm import TextLLM
from agent.turn_report import record
from domain.enums import Outcome, values

OUTCOME_RULES = [  # first match wins: the more specific phrases come first
    ("no_answer", r"\b(no answer|did(n't| not) (pick|answer)|not reachable|unreachable|switched off|busy tone|voicemail)\b"),
    ("not_interested", r"\b(not interested|no interest|doesn'?t want|does not want|declined|refused)\b"),
    ("complaint", r"\b(complain\w*|broken|damaged|defective|refund|angry|upset|late delivery)\b"),
    ("purchased", r"\b(bought|purchased|placed (an|the) order|ordered|paid)\b"),
    ("callback", r"\b(call (him|her|them|me)? ?back|callback|call again|ring back|follow up|busy now)\b"),
    ("resolved", r"\b(resolved|sorted out|fixed|issue closed)\b"),
    ("interested", r"\b(interested|loved|likes?|keen|wants?|asked about|excited)\b"),
]
POSITIVE = {"loved", "love", "happy", "great", "interested", "keen", "excited", "thanks", "thank", "good",
            "pleased", "likes", "like", "bought", "wants"}
NEGATIVE = {"angry", "upset", "complain", "complained", "complaint", "broken", "damaged", "refund", "bad",
            "late", "not", "never", "rude", "disappointed", "expensive"}
TRANSCRIPT_MIN_CHARS = 280
SCHEMA = {"type": "object", "required": ["summary", "outcome", "sentiment", "follow_up_date", "products"],
          "properties": {"summary": {"type": "string"},
                         "outcome": {"anyOf": [{"type": "string", "enum": values(Outcome)}, {"type": "null"}]},
                         "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
                         "follow_up_date": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                         "products": {"type": "array", "items": {"type": "string"}}}}


@dataclass
class CallSummary:
    summary: str
    outcome: str | None
    sentiment: str
    follow_up_date: date | None
    products: list[str] = field(default_factory=list)
    source: str = "rules"  # rules | llm

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["follow_up_date"] = self.follow_up_date.isoformat() if self.follow_up_date else None
        return data


def looks_like_transcript(text: str) -> bool:
    """Long or multi-speaker text: worth summarising rather than storing as the note itself."""
    speakers = len(re.findall(r"^\s*\w[\w .]{0,20}:", text or "", re.M))
    return len(text or "") >= TRANSCRIPT_MIN_CHARS or speakers >= 3


def rule_summary(text: str, products: list[str], now: datetime) -> CallSummary:
    """The deterministic summary: first sentences, keyword outcome and sentiment, dates, catalogue matches."""
    lowered = (text or "").lower()
    outcome = next((name for name, pattern in OUTCOME_RULES if re.search(pattern, lowered)), None)
    words = re.findall(r"[a-z']+", lowered)
    score = sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
    sentiment = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    sentences = re.split(r"(?<=[.!?])\s+", " ".join((text or "").split()))
    summary = " ".join(sentences[:2])
    if len(summary) > 240:
        summary = summary[:239].rsplit(" ", 1)[0] + "…"
    return CallSummary(summary=summary, outcome=outcome, sentiment=sentiment,
                       follow_up_date=follow_up_date(text, now), products=mentioned_products(text, products))


def follow_up_date(text: str, now: datetime) -> date | None:
    """The first future date the text mentions (a weekday, "kal", an offset, a day of month)."""
    try:
        from agent.offline.slots.dates import extract_temporal
        from agent.offline.text import normalise, tokenize

        mentions = extract_temporal(tokenize(normalise(text or "")), now).dates
    except Exception:  # the offline parser is an optional helper here; no date is a fine answer
        return None
    future = sorted(m.day for m in mentions if m.day > now.date())
    return future[0] if future else None


def mentioned_products(text: str, products: list[str]) -> list[str]:
    """Catalogue names the text mentions (fuzzy, so "blue kettel" finds "Blue Kettle")."""
    lowered = (text or "").lower()
    return [name for name in products if fuzz.partial_ratio(name.lower(), lowered) >= 90]


def summarize_call(text: str, *, products: list[str], now: datetime, llm: TextLLM | None = None) -> CallSummary:
    """The summary of one call: the LLM's when it validates, else the rules'. Never raises for bad text."""
    fallback = rule_summary(text, products, now)
    if llm is None or not llm.enabled or not (text or "").strip():
        return fallback
    masker = llm.masker()
    safe = masker.mask(text).replace("</untrusted", "<\\/untrusted")
    answer = llm.complete_json("call_summary", SCHEMA, masker, transcript=safe, today=now.date().isoformat(),
                               weekday=f"{now:%A}",
                               products=(", ".join(products) or "(none)").replace("</untrusted", "<\\/untrusted"),
                               outcomes=", ".join(values(Outcome)))
    checked = _validated(answer, masker.mask(text), products, now, fallback)
    if answer is not None:
        record("text_accepted" if checked is not None else "text_rejected", [answer], task="call_summary")
    if checked is None:
        return fallback
    checked.summary = masker.unmask(checked.summary)
    return checked


def _validated(answer: dict[str, Any] | None, masked_text: str, products: list[str], now: datetime,
               rules: CallSummary | None = None) -> CallSummary | None:
    """The LLM's summary when the call supports it: its outcome's own words appear in the call, its
    products are ones the call mentions, its follow-up is the date the call's words resolve to."""
    if not isinstance(answer, dict) or not isinstance(answer.get("summary"), str) or not answer["summary"].strip():
        return None
    outcome = answer.get("outcome")
    if outcome is not None and outcome not in values(Outcome):
        return None
    sentiment = answer.get("sentiment") if answer.get("sentiment") in ("positive", "neutral", "negative") else None
    if sentiment is None:
        return None
    follow_up = None
    if answer.get("follow_up_date"):
        try:
            follow_up = date.fromisoformat(str(answer["follow_up_date"])[:10])
        except ValueError:
            return None
        if not now.date() <= follow_up <= now.date() + timedelta(days=366):
            return None
    if outcome is not None and outcome != "other":
        pattern = dict(OUTCOME_RULES).get(outcome)
        agreed_callback = outcome == "callback" and rules is not None and rules.follow_up_date is not None
        if pattern and not re.search(pattern, masked_text.lower()) and not agreed_callback:
            return None  # e.g. "purchased" for a call where nothing was bought
    if rules is not None and follow_up != rules.follow_up_date:
        return None  # the call's own words resolve the date ("Friday"); the model's differs, or is invented
    chosen = [p for p in answer.get("products") or [] if p in products]
    if len(chosen) != len(answer.get("products") or []):
        return None  # a product the catalogue does not have
    if rules is not None and not set(chosen) <= set(rules.products):
        return None  # a product the call never mentions
    facts = {"text": masked_text, "today": now.date().isoformat(),
             "follow_up": follow_up.isoformat() if follow_up else None}
    if ungrounded(answer["summary"], facts):  # the summary may only repeat numbers the call had
        return None
    return CallSummary(summary=answer["summary"].strip()[:400], outcome=outcome, sentiment=sentiment,
                       follow_up_date=follow_up, products=chosen, source="llm")


def suggested_log_fields(arguments: dict[str, Any], summary: CallSummary) -> dict[str, Any]:
    """Fields to propose for log_interaction: only the ones the call did not set already."""
    suggested: dict[str, Any] = {}
    if summary.outcome and not arguments.get("outcome"):
        suggested["outcome"] = summary.outcome
    if summary.follow_up_date and not arguments.get("follow_up_at"):
        suggested["follow_up_at"] = summary.follow_up_date.isoformat()
    if summary.products and not arguments.get("products"):
        suggested["products"] = summary.products
    notes = arguments.get("notes") or ""
    suggested["notes"] = f"Summary ({summary.sentiment}): {summary.summary}\n\nNotes:\n{notes}"
    return suggested
