"""Answers to a clarifying question: a row number or ordinal, an id, a city, a name, or the missing value."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from agent.offline import lexicon as lx
from agent.offline import registry
from agent.offline.intents.common import PICK, QUESTIONS, Ask, candidate_lines, find_customer, make_call
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
    own = registry.REGISTRY.get(pending.tool)
    merged = own.answer(pending, slots, text, scores) if value is None and own and own.answer else None
    if merged:
        value = merged  # the intent read the answer to its own question: arguments to merge
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
        return _not_settled(pending, narrow_candidates(pending.candidates, norms), ctx)
    args: dict[str, Any] = dict(pending.arguments)
    if (pending.missing in {"date_of_birth", "anniversary_date"} or merged) and isinstance(value, dict):
        args.update(value)
    else:
        args[pending.missing] = value
    if pending.missing == "dropoff_id":
        args.pop("customer", None)
    return _next_gap(pending.tool, args)


GIVE_UP = ("I still can't tell which one you mean, so I've left it: nothing was written. "
           "Ask again with the customer's id (for example #12), phone number or email.")


def _not_settled(pending: PendingClarification, fitting: list[Candidate], ctx: ConversationContext) -> Reply:
    """An answer that chose nobody: ask among the options it still fits, or once more, then stop asking.

    Narrowing is progress (the question gets shorter); an answer that narrows nothing counts as a
    miss, and the second miss ends the question, so a clarification can never go round in circles.
    """
    if fitting and len(fitting) < len(pending.candidates):
        options = tuple(fitting)
        question = "\n".join(["Which of these do you mean?", *candidate_lines(options), PICK])
        narrowed = replace(pending, candidates=options, question=question)
        return Reply(question, ctx.evolve(pending=narrowed), "clarify")
    if pending.attempts >= 1:
        return Reply(GIVE_UP, ctx.evolve(pending=None), "answer")
    again = replace(pending, attempts=pending.attempts + 1)
    if len(fitting) > 1:
        # the answer is a name or city they share: say what does tell them apart
        head = (f"All {len(fitting)} fit that. Reply with the number (1-{len(fitting)}), the id or the "
                "last digits of the phone.")
    else:
        head = "Sorry, I didn't catch that."
    return Reply(f"{head}\n\n{pending.question}", ctx.evolve(pending=again), "clarify")


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
    if missing in {"date_of_birth", "anniversary_date"}:
        return _dated(missing, pending.arguments.get(missing), slots, norms)
    return None


_SKIP = {"skip", "unknown", "pass", "later", "jani", "janina", "jane", "idea"}


def _dated(key: str, waiting: Any, slots: Slots, norms: list[str]) -> dict[str, Any] | None:
    """A family date asked for its year: a full date, or a year for the day and month told before
    ("--MM-DD"); "skip" / "don't know" / "jani na" saves the member without it."""
    dated = [d for d in slots.temporal.dates if d.has_year]
    if dated:
        return {key: dated[0].day.isoformat()}
    years = [t.value for t in slots.tokens if t.kind == "num" and isinstance(t.value, int) and 1900 <= t.value <= 2100]
    if years and isinstance(waiting, str) and waiting.startswith("--"):
        month, day = (int(part) for part in waiting[2:].split("-"))
        try:
            return {key: date(years[0], month, day).isoformat()}
        except ValueError:  # 29 February in a year without it
            return None
    if set(norms) & _SKIP or "know" in norms and ({"dont", "don't", "not", "no"} & set(norms)):
        return {key: None}
    return None


def pick_candidate(candidates: tuple[Candidate, ...], slots: Slots, norms: list[str]) -> Candidate | None:
    """The option the user chose: by row number or ordinal, id, the end of the phone, city, name words."""
    if not candidates:
        return None
    tokens = [t for t in slots.tokens if t.kind != "punct"]
    if _negated(norms):
        return _the_other(candidates, tokens, norms)
    by_id = {c.id: c for c in candidates}
    for tok in tokens:
        if tok.kind == "id" and tok.value in by_id:  # "#12": the id, even when 12 is also a row number
            return by_id[tok.value]
    for tok in tokens:
        number = None
        if tok.kind in {"num", "ordinal", "id"} and isinstance(tok.value, int):
            number = tok.value
        elif tok.norm in lx.ORDINALS:
            number = lx.ORDINALS[tok.norm]
        if number is None or len(tokens) > 5:
            continue
        if number == -1:
            return candidates[-1]
        if 1 <= number <= len(candidates) and tok.kind != "id":
            return candidates[number - 1]
        if number in by_id:
            return by_id[number]
        tail = [c for c in candidates if c.detail and len(tok.text) >= 3
                and "".join(ch for ch in c.detail.split(",")[0] if ch.isdigit()).endswith(tok.text)]
        if len(tail) == 1:  # the last digits of the phone shown
            return tail[0]
    said = {lx.CITY_ALIASES.get(w, w) for w in norms}
    by_city = [c for c in candidates if c.city and lx.CITY_ALIASES.get(c.city.lower(), c.city.lower()) in said]
    if len(by_city) == 1:
        return by_city[0]
    if len(candidates) == 1 and norms and set(norms) <= lx.YES | {"please", "pls", "it", "is", "that", "one"}:
        return candidates[0]
    ties = _name_ties(candidates, norms)
    return ties[0] if len(ties) == 1 else None


def _negated(norms: list[str]) -> bool:
    """ "not the Dhaka one", "Dhaka r ta na": the answer says which option it is not ("no, the
    Khulna one" says which it is)."""
    words = [w for w in norms if w not in {".", "!", "?", ","}]
    return len(words) >= 2 and (words[0] == "not" or words[-1] in {"na", "noy", "nay"})


def _the_other(candidates: tuple[Candidate, ...], tokens, norms: list[str]) -> Candidate | None:
    """The one option left once those the answer rules out (by city or row) are set aside."""
    said = {lx.CITY_ALIASES.get(w, w) for w in norms}
    ruled_out = {c.id for c in candidates if c.city and lx.CITY_ALIASES.get(c.city.lower(), c.city.lower()) in said}
    for tok in tokens:
        number = lx.ORDINALS.get(tok.norm) if tok.kind == "word" else (
            tok.value if tok.kind in {"num", "ordinal"} and isinstance(tok.value, int) else None)
        if number == -1:
            ruled_out.add(candidates[-1].id)
        elif number is not None and 1 <= number <= len(candidates):
            ruled_out.add(candidates[number - 1].id)
    rest = [c for c in candidates if c.id not in ruled_out]
    return rest[0] if ruled_out and len(rest) == 1 else None


def narrow_candidates(candidates: tuple[Candidate, ...], norms: list[str]) -> list[Candidate]:
    """The options an answer that chose nobody still fits: by city, else by name words (empty: none)."""
    if not candidates:
        return []
    said = {lx.CITY_ALIASES.get(w, w) for w in norms}
    by_city = [c for c in candidates if c.city and lx.CITY_ALIASES.get(c.city.lower(), c.city.lower()) in said]
    return by_city or _name_ties(candidates, norms)


def _name_ties(candidates: tuple[Candidate, ...], norms: list[str]) -> list[Candidate]:
    """The candidates whose name (or product / city) the answer's words fit best (empty: none fit)."""
    content = [w for w in norms if w not in lexicon_words() or w in {"new", "blue", "red"}]
    if not content:
        return []
    scored = []
    for c in candidates:
        words = name_words(c.name) + name_words(c.detail or "") + name_words(c.city or "")
        score = sum(max((fuzz.ratio(w, cw) for cw in words), default=0) >= 85 for w in content)
        scored.append((score, c))
    best = max(score for score, _ in scored)
    return [c for score, c in scored if score == best] if best > 0 else []
