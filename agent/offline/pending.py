"""Answers to a clarifying question: a row number or ordinal, an id, a city, a name, or the missing value."""
from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from agent.offline import lexicon as lx
from agent.offline.intents.common import QUESTIONS, Ask, find_customer, make_call
from agent.offline.catalogue import Catalogue, name_words
from agent.offline.slots import lexicon_words, TABLES, Slots
from agent.offline.types import Candidate, ConversationContext, PendingClarification, Reply

_NEW_REQUEST = 3.5  # an answer scoring this high for some intent is a new request, not an answer


def answer_pending(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float],
                   catalogue: Catalogue, ctx: ConversationContext):
    """A ToolCall / Ask / Reply completing the pending call, or None when the message is a new request."""
    norms = [n for n in slots.norms if n not in {".", "!", "?", ","}]
    if scores[lx.CANCEL] >= 4 or (norms and set(norms) <= {"no", "nope", "na", "cancel", "nah"}):
        return Reply("OK, cancelled. Nothing was written.", ctx.evolve(pending=None), "answer")
    value = _value(pending, slots, norms, catalogue, ctx)
    asked_for = max(scores, key=lambda intent: scores[intent], default=None)
    if value is not None and pending.missing == "customer" and asked_for not in (None, pending.tool) \
            and scores[asked_for] >= _NEW_REQUEST:
        # a request for another tool while a customer question waits is a new request: its customer
        # must not complete the waiting call (which may be a write)
        return None
    if value is None:
        best = max(scores.values(), default=0.0)
        if best >= _NEW_REQUEST or len(norms) > 6:
            return None
        return Reply("Sorry, I didn't catch that. " + pending.question, ctx, "clarify")
    args: dict[str, Any] = dict(pending.arguments)
    if pending.missing == "date_of_birth" and isinstance(value, dict):
        args.update(value)
    else:
        args[pending.missing] = value
    if pending.missing == "dropoff_id":
        args.pop("customer", None)
    return _next_gap(pending.tool, args)


def _next_gap(tool: str, args: dict[str, Any]):
    """Ask for the next missing argument of a write, or return the finished call."""
    who = str(args.get("customer", "the customer"))
    if tool == lx.LOG and not args.get("type"):
        return Ask(tool, "type", QUESTIONS["type"].format(who="them"), args)
    if tool == lx.FAMILY:
        if not args.get("relationship"):
            return Ask(tool, "relationship", QUESTIONS["relationship"].format(member=args.get("name", "they"),
                                                                              who="the customer"), args)
        if not args.get("name"):
            return Ask(tool, "name", QUESTIONS["name"].format(who="the customer", relation="relative"), args)
    if tool == lx.DRAFT and not args.get("channel"):
        return Ask(tool, "channel", QUESTIONS["channel"].format(who=who), args)
    return make_call(tool, args)


def _value(pending: PendingClarification, slots: Slots, norms: list[str], catalogue: Catalogue,
           ctx: ConversationContext):
    missing = pending.missing
    if missing in {"customer", "dropoff_id"}:
        chosen = pick_candidate(pending.candidates, slots, norms)
        if chosen is not None:
            return chosen.id
        if missing == "customer":
            who = find_customer(slots, ctx.evolve(last_customer=None))
            if not who.problem:
                return who.ref
            if norms and set(norms) <= lx.YES | lx.PRONOUNS and ctx.last_customer and not pending.candidates:
                return ctx.last_customer.id
        return None
    if missing == "type":
        return slots.type or slots.first("channel")
    if missing == "channel":
        return slots.first("channel")
    if missing == "relationship":
        if slots.relationships:
            return slots.relationships[0].value
        found = TABLES["relationship"].find(slots.norms)
        return found[0].value if found else None
    if missing == "name":
        words = [t.text for t in slots.tokens if t.kind == "word" and (t.norm not in lexicon_words() or t.capitalised)]
        return " ".join(w if w[:1].isupper() else w.title() for w in words[:3]) or None
    if missing == "date_of_birth":
        dated = [d for d in slots.temporal.dates if d.has_year]
        return {"date_of_birth": dated[0].day.isoformat()} if dated else None
    return None


def pick_candidate(candidates: tuple[Candidate, ...], slots: Slots, norms: list[str]) -> Candidate | None:
    """The option the user chose: by number, ordinal word, city, name words or product."""
    if not candidates:
        return None
    tokens = [t for t in slots.tokens if t.kind != "punct"]
    for tok in tokens:
        number = None
        if tok.kind in {"num", "ordinal"} and isinstance(tok.value, int):
            number = tok.value
        elif tok.norm in lx.ORDINALS:
            number = lx.ORDINALS[tok.norm]
        elif tok.kind == "id" and tok.value <= len(candidates):
            number = tok.value
        if number is not None and len(tokens) <= 5:
            if number == -1:
                return candidates[-1]
            if 1 <= number <= len(candidates):
                return candidates[number - 1]
    said = {lx.CITY_ALIASES.get(w, w) for w in norms}
    by_city = [c for c in candidates if c.city and lx.CITY_ALIASES.get(c.city.lower(), c.city.lower()) in said]
    if len(by_city) == 1:
        return by_city[0]
    content = [w for w in norms if w not in lexicon_words() or w in {"new", "blue", "red"}]
    if not content:
        return candidates[0] if len(candidates) == 1 and set(norms) & lx.YES else None
    scored = []
    for c in candidates:
        words = name_words(c.name) + name_words(c.detail or "") + name_words(c.city or "")
        score = sum(max((fuzz.ratio(w, cw) for cw in words), default=0) >= 85 for w in content)
        scored.append((score, c))
    scored.sort(key=lambda s: -s[0])
    if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None

