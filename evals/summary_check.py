"""Is a post-call summary supported by the call it summarises? The harness's own judge, not the agent's.

A ``log_interaction`` whose notes carry a summary (``Summary (sentiment): ...``, proposed from a
pasted call) is judged against the user's words of the conversation, the transcript:

* its outcome must have words in the call that say so (``OUTCOME_EVIDENCE``: "purchased" needs
  "bought", "ordered", "kinlo" ...; "other" or none needs nothing);
* every product must be one the call names (its full name, or its head noun: "the kettle");
* its follow-up date, and every date or weekday its summary text names, must be a day the call's
  words resolve to (the deterministic date reader of the offline model, from the conversation's clock).

``summary_problems`` lists what the call does not support; the runner fails the turn for each
unsupported summary and the report counts them as ``summaries_unsupported``.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from agent.text.grounding import DAY_MONTH, ISO, MONTH_DAY, MONTHS, WEEKDAY, WEEKDAYS

SUMMARY_MARK = re.compile(r"^\s*Summary \((positive|neutral|negative)\):\s*(.*?)(?:\n\s*\nNotes:|\Z)", re.S)

# the judge's own table (wider than the agent's rules, English and romanised Bangla): an outcome is
# supported when any of its words is in the call
OUTCOME_EVIDENCE: dict[str, tuple[str, ...]] = {
    "no_answer": (r"no answer", r"did(?:n'?t| not) (?:pick|answer|respond)", r"not reachable", r"unreachable",
                  r"switched off", r"voicemail", r"no response", r"busy", r"dhoreni", r"dhorlo na", r"pai ?ni"),
    "not_interested": (r"not interested", r"no interest", r"does(?:n'?t| not) want", r"declined", r"refused",
                       r"no thanks", r"too expensive", r"lagbe na", r"chai na", r"nibe na"),
    "complaint": (r"complain\w*", r"broken", r"damaged", r"defective", r"refund", r"angry", r"upset", r"late",
                  r"problem", r"not working", r"kharap", r"wrong"),
    "purchased": (r"bought", r"purchased", r"ordered", r"placed (?:an|the) order", r"paid", r"took it",
                  r"kinlo", r"kineche", r"kinechhe", r"order (?:dilo|korlo|diyeche)"),
    "callback": (r"call (?:\w+ )?back", r"callback", r"call again", r"ring back", r"follow[- ]?up", r"later",
                 r"tomorrow", r"next week", r"pore", r"abar", r"kal", *WEEKDAYS),
    "resolved": (r"resolved", r"sorted", r"fixed", r"solved", r"closed", r"thik hoye"),
    "interested": (r"interested", r"lik(?:e|es|ed)", r"lov(?:e|es|ed)", r"keen", r"wants?", r"asked about",
                   r"excited", r"curious", r"pochondo", r"chay", r"chai"),
}


def summary_of(arguments: dict[str, Any] | None) -> str | None:
    """The summary sentence a log_interaction's notes carry, or None when the notes have none."""
    found = SUMMARY_MARK.match(str((arguments or {}).get("notes") or ""))
    return found.group(2).strip() if found else None


def summary_problems(arguments: dict[str, Any], transcript: str, now: datetime) -> list[str]:
    """What of the summary (outcome, products, follow-up, dates in its text) the transcript does not support."""
    summary = summary_of(arguments)
    if summary is None:
        return []
    words = " ".join((transcript or "").lower().split())
    problems = []
    outcome = arguments.get("outcome")
    if outcome and outcome != "other" and not any(re.search(rf"\b{cue}\b", words)
                                                   for cue in OUTCOME_EVIDENCE.get(outcome, ())):
        problems.append(f"outcome {outcome!r}: the call says nothing of it")
    for product in arguments.get("products") or []:
        if not named(str(product), words):
            problems.append(f"product {product!r}: the call never names it")
    said = said_days(transcript, now)
    follow = arguments.get("follow_up_at")
    if follow:
        day = date.fromisoformat(str(follow)[:10])
        if day not in said:
            problems.append(f"follow-up {day.isoformat()}: not a day the call names")
    for day, text in named_days(summary, now):
        if day not in said:
            problems.append(f"{text!r} in the summary: not a day the call names")
    return problems


def named(product: str, words: str) -> bool:
    """The call names the product: its full name (fuzzy), or its head noun ("kettle" for Blue Kettle)."""
    name = product.lower()
    if fuzz.partial_ratio(name, words) >= 88:
        return True
    nouns = [w for w in re.findall(r"[a-z]+", name) if len(w) >= 3 and not re.fullmatch(r"\d*(l|in|cm|kg|ml)", w)]
    return bool(nouns) and re.search(rf"\b{re.escape(nouns[-1])}s?\b", words) is not None


def said_days(transcript: str, now: datetime) -> set[date]:
    """Every day the call's words resolve to, read by the offline model's date reader."""
    from agent.offline.slots.dates import extract_temporal
    from agent.offline.text import normalise, tokenize

    try:
        found = {m.day for m in extract_temporal(tokenize(normalise(transcript or "")), now).dates}
    except Exception:  # an unreadable call names no day; the summary then may name none either
        found = set()
    return found | {day for day, _ in named_days(transcript, now)}


def named_days(text: str, now: datetime) -> list[tuple[date, str]]:
    """(day, words) for each ISO date, "27 Nov" / "Nov 27" and weekday a text writes (a weekday is its
    next occurrence, today excluded, as a call's "Friday" means)."""
    out: list[tuple[date, str]] = []
    for match in ISO.finditer(text or ""):
        try:
            out.append((date(int(match[1]), int(match[2]), int(match[3])), match.group(0)))
        except ValueError:
            continue
    for pattern, day_at, month_at in ((DAY_MONTH, 1, 2), (MONTH_DAY, 2, 1)):
        for match in pattern.finditer(text or ""):
            month = MONTHS.get(match[month_at].lower().rstrip("."))
            try:
                out.append((date(now.year, month, int(match[day_at])), match.group(0)))
            except (TypeError, ValueError):
                continue
    for match in WEEKDAY.finditer(text or ""):
        ahead = (WEEKDAYS.index(match[1].lower()) - now.weekday()) % 7 or 7
        out.append((now.date() + timedelta(days=ahead), match.group(0)))
    return out
