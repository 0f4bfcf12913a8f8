"""Intent scoring: the registered intents' cue phrases plus the evidence each finds in the slots.

Only rules that hold for every intent live here: small talk counts in short messages only, a
question never writes, and a bare customer reference means "show me". Everything specific to
one intent is that intent's ``evidence`` (``agent.offline.intents``).
"""
from __future__ import annotations

from agent.offline import registry
from agent.offline.registry import OOS, V360
from agent.offline.slots import Slots

MIN_SCORE = 2.0


def score_intents(slots: Slots, today_iso: str) -> dict[str, float]:
    """Score of every registered intent for one message (higher = more likely)."""
    intents = registry.ordered()
    scores = {i.name: 0.0 for i in intents}
    small_talk = {i.name for i in intents if i.small_talk}
    words = [t for t in slots.tokens if t.kind != "punct"]
    short = len(words) <= 5
    for match in slots.matches["cue"]:
        for intent, weight in match.value:
            if intent in scores:
                scores[intent] += weight if short or intent not in small_talk else weight * 0.3
    has_customer = bool(slots.customers) or slots.pronoun
    for intent in intents:
        if intent.evidence is not None:
            intent.evidence(slots, scores, today_iso)
        if has_customer and intent.about_customer:
            scores[intent.name] += intent.about_customer
    if slots.question and not slots.command:
        # a question reads; it never writes ("did she pay?", "what is his wife's number?")
        for name in registry.writes():
            scores[name] = 0.0
        if has_customer:
            scores[V360] += 1.0
    return scores


def choose(scores: dict[str, float], has_customer: bool) -> str:
    """The winning intent; a bare customer reference means "show me"; nothing recognisable is out of scope."""
    order = [i.name for i in registry.ordered()]
    best = max(order, key=lambda name: (scores[name], -order.index(name)))
    if scores[best] >= MIN_SCORE:
        return best
    return V360 if has_customer else OOS
