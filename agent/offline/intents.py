"""Intent scoring: cue phrases (weighted, from the lexicon) plus evidence from the extracted slots."""
from __future__ import annotations

from agent.offline import lexicon as lx
from agent.offline.entities import Slots

# on a tie the earlier intent wins: a write needs stronger evidence than a read
ORDER = [lx.OOS, lx.CANCEL, lx.DROPOFF, lx.RFM, lx.DRAFT, lx.FAMILY, lx.LOG, lx.EVENTS, lx.LIST, lx.FIND,
         lx.V360, lx.HELP, lx.THANKS]
MIN_SCORE = 2.0
WRITE_INTENTS = (lx.LOG, lx.FAMILY, lx.DROPOFF)


def score_intents(slots: Slots, today_iso: str) -> dict[str, float]:
    """Score of every intent for one message (higher = more likely)."""
    scores = dict.fromkeys(ORDER, 0.0)
    words = [t for t in slots.tokens if t.kind != "punct"]
    short = len(words) <= 5
    known = any(m.via != "unknown" for m in slots.customers)
    for match in slots.matches["cue"]:
        for intent, weight in match.value:
            if intent == lx.OOS and known and match.phrase in lx.OOS_SOFT:
                continue  # "what's the story with Mr. Chowdhury?" asks about a customer
            scores[intent] += weight if short or intent not in lx.SMALL_TALK else weight * 0.3
    if words and words[0].norm in {"whatsapp", "sms", "text", "email", "mail", "message", "msg", "inbox"} and not (
            slots.outcome or slots.temporal.duration_seconds or scores[lx.LOG] >= 2.5):
        scores[lx.DRAFT] += 3  # an imperative: "whatsapp Fatema about the offer"
    has_customer = bool(slots.customers) or slots.pronoun
    if slots.outcome:
        scores[lx.LOG] += 2.5
        if slots.outcome == "purchased" and any(m.phrase.startswith("cart") for m in slots.matches["cue"]):
            scores[lx.DROPOFF] += 2
    if slots.type and not slots.has("channel"):
        scores[lx.LOG] += 0.5
    if slots.temporal.duration_seconds:
        scores[lx.LOG] += 2
    if slots.inbound:
        scores[lx.LOG] += 1.5
    if slots.relationships:
        scores[lx.FAMILY] += 2.5
        if slots.command:  # "Nasrin has a daughter, add her to the profile"
            scores[lx.FAMILY] += 1.5
        if any(d.has_year and d.day.isoformat() < today_iso for d in slots.temporal.dates):
            scores[lx.FAMILY] += 2
    if slots.has("segment"):
        scores[lx.RFM] += 3
    if slots.has("temperature"):
        scores[lx.LIST] += 2
    if slots.has("lifecycle") and not slots.has("segment"):
        scores[lx.LIST] += 1.5
    if slots.has("mine"):
        scores[lx.LIST] += 1.5
    if slots.has("tone") or slots.has("language"):
        scores[lx.DRAFT] += 2
    if slots.has("channel") and scores[lx.DRAFT] >= 2:
        scores[lx.DRAFT] += 1
    if slots.quoted:
        scores[lx.DRAFT] += 1
    if slots.temporal.window_days:
        scores[lx.EVENTS] += 1
    if scores[lx.EVENTS] and not slots.relationships and any(d.day.isoformat() >= today_iso for d in slots.temporal.dates):
        scores[lx.EVENTS] += 1  # "any birthday tomorrow?"
    if slots.dropoff_id is not None:
        scores[lx.DROPOFF] += 2
    if has_customer:
        scores[lx.V360] += 1.5
        for intent in (lx.LOG, lx.DRAFT, lx.FAMILY, lx.DROPOFF, lx.RFM):
            scores[intent] += 0.5
    if not has_customer and scores[lx.LIST] >= 2:
        scores[lx.V360] -= 1.5  # "who's hot right now?": "who is" about nobody in particular is a list
    if not _recovery_said(slots):
        # "cart reminder for X", "her cart": a cart named is a topic; recovering it takes a recovery word
        scores[lx.DROPOFF] = min(scores[lx.DROPOFF], MIN_SCORE - 0.5)
    if slots.question and not slots.command:
        # a question reads: "kono cart pending ache?", "what's his wife's number?" never write
        for intent in WRITE_INTENTS:
            scores[intent] = 0.0
        if has_customer:
            scores[lx.V360] += 1.0
    return scores


def _recovery_said(slots: Slots) -> bool:
    """A word saying the abandoned purchase happened after all (recovered, bought, paid, went through)."""
    return (slots.dropoff_id is not None or slots.outcome == "purchased"
            or any(lx.DROPOFF in {intent for intent, _ in m.value} and m.phrase in lx.RECOVERY_CUES
                   for m in slots.matches["cue"]))


def choose(scores: dict[str, float], has_customer: bool) -> str:
    """The winning intent; a bare customer reference means "show me"; nothing recognisable is out of scope."""
    best = max(ORDER, key=lambda intent: (scores[intent], -ORDER.index(intent)))
    if scores[best] >= MIN_SCORE:
        return best
    return lx.V360 if has_customer else lx.OOS
