"""Requests that lean on the previous call: the same again for someone else, and a correction.

- "same for <name>" / "<name> too" / "same thing with <name>": the previous call (a log, a draft,
  a 360 ...) again, for the newly named customer. A log's notes say where they were copied from.
- "sorry, it was <type>, not <type>": when the previous write was proposed but never ran
  (the user declined it) and the new call is the same tool for the same customer, details the new
  message leaves out (products, outcome, follow-up, duration, when) are carried over from it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import Any

from agent.offline import lexicon as lx
from agent.offline import registry
from agent.offline.intents.common import Ask, find_customer, make_call
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext, ToolCall

# what a correction keeps from the declined proposal when it does not say it again
CARRIED = ("products", "outcome", "follow_up_at", "duration_seconds", "occurred_at", "direction", "tone",
           "language", "topic", "incoming_message", "date_of_birth", "anniversary_date")
_TOO = {"too", "also", "aswell", "o", "keo", "reo"}


def asks_same_again(slots: Slots) -> bool:
    """A short message naming a customer with "same", "ditto", "too", "also" or Banglish "o"/"keo": repeat the last call."""
    norms = [n for n in slots.norms if n not in {".", "!", ","}]
    named = [m for m in slots.customers if m.via != "unknown"]
    if not named or len(norms) > 7:
        return False
    if "same" in norms or "ditto" in norms:
        return True
    return bool(norms) and (norms[-1] in _TOO or norms[-2:] == ["as", "well"])


def same_again(slots: Slots, ctx: ConversationContext) -> ToolCall | None:
    """The previous call with the newly named customer (None when there is nothing to repeat)."""
    last = ctx.last_call
    if last is None or "customer" not in last.arguments:
        return None
    who = find_customer(slots, ctx.evolve(last_customer=None))
    if who.problem or who.ref == last.arguments.get("customer"):
        return None
    args: dict[str, Any] = {**last.arguments, "customer": who.ref}
    if last.name == lx.LOG and args.get("notes"):
        before = ctx.last_customer.name if ctx.last_customer else "the previous customer"
        args["notes"] = f"Same as logged for {before}: {args['notes']}"
    args.pop("dropoff_id", None)
    return make_call(last.name, args)


def is_correction(slots: Slots) -> bool:
    """ "sorry, it was a call, not WhatsApp", "actually log it as a meeting": fixing what was just proposed."""
    norms = slots.norms
    pairs = set(pairwise(norms))
    return bool(_CORRECTION_WORDS & set(norms)) or bool(
        {("it", "was"), ("as", "a"), ("as", "an"), ("make", "it"), ("change", "it")} & pairs) or (
        bool(norms) and norms[0] in {"not", "no", "na"})


_CORRECTION_WORDS = {"sorry", "actually", "oops", "vul", "bhul", "instead", "change", "rather", "correction", "wrong"}
# a short message opening with these leans on the last request: "and <day>?", "just the <kind>", "only mine"
_FOLLOW_LEADS = {"and", "just", "only", "what", "how", "now", "but", "then", "also", "same", "make", "instead", "not",
                 "no", "shudhu", "sudhu", "ar", "tahole", "okay", "ok", "change", "in", "for", "top", "sorry",
                 "actually"}


def _short(slots: Slots) -> bool:
    return len([t for t in slots.tokens if t.kind != "punct"]) <= 6


# which slots say a call argument again (a refinement changes only what the message says)
EXPRESSED: dict[str, Callable[[Slots], bool]] = {
    "date": lambda s: bool(s.temporal.dates), "limit": lambda s: s.limit is not None,
    "temperature": lambda s: s.has("temperature"), "lifecycle_stage": lambda s: s.has("lifecycle"),
    "assigned_to_me": lambda s: s.has("mine"), "channel": lambda s: s.has("channel"),
    "tone": lambda s: s.has("tone"), "language": lambda s: s.has("language"),
    "topic": lambda s: bool(_TOPIC_LEAD & set(s.norms)), "incoming_message": lambda s: bool(s.quoted),
    "follow_up_at": lambda s: bool(s.temporal.dates or s.temporal.loose_time),
    "occurred_at": lambda s: bool(s.temporal.dates), "products": lambda s: bool(s.products),
    "outcome": lambda s: s.outcome is not None, "duration_seconds": lambda s: bool(s.temporal.duration_seconds),
    "direction": lambda s: s.inbound, "type": lambda s: s.type is not None, "segment": lambda s: s.has("segment"),
    "days": lambda s: bool(s.temporal.window_days or s.temporal.dates),
    "date_of_birth": lambda s: bool(s.temporal.dates), "anniversary_date": lambda s: bool(s.temporal.dates),
    "relationship": lambda s: bool(s.relationships), "city": lambda s: s.has("city"),
    "at": lambda s: bool(s.temporal.dates or s.temporal.loose_time),
}
_TOPIC_LEAD = {"about", "regarding", "re", "abt", "niye", "somporke"}


def refine(slots: Slots, ctx: ConversationContext, scores: dict[str, float], now: datetime, text: str):
    """The last request again with what this message changes ("and <day>?", "just the cold ones",
    "top 3", "make it <channel> instead", a correction of a declined write), or None.

    Only what the message says changes; everything else is inherited. A write is refined only while
    its proposal was declined (never re-run after it was written). A message naming another
    customer, or a complete request of its own, is not a refinement.
    """
    last = ctx.last_call
    intent = registry.REGISTRY.get(last.name) if last else None
    if last is None or intent is None or intent.build is None or not intent.carry:
        return None
    if intent.write and not ctx.unsent:
        return None
    if any(m.via != "unknown" for m in slots.customers):
        named = find_customer(slots, ctx.evolve(last_customer=None))
        if named.ref != last.arguments.get("customer"):
            return None
    words = [t.norm for t in slots.tokens if t.kind != "punct"]
    best = max(scores, key=lambda name: scores[name]) if scores else None
    leaning = bool(words) and (words[0] in _FOLLOW_LEADS or is_correction(slots))
    own_request = best is not None and scores[best] >= 3.5 and best != last.name
    if "limit" in intent.carry:
        bare_count(slots)
    says = {**EXPRESSED, **intent.says}
    changed = [key for key in intent.carry + ("type",) if key in says and says[key](slots)]
    # a read's short follow-up that only says filters (a new limit, a temperature, "mine") refines it
    says_filters = not intent.write and bool(changed) and len(words) <= _FOLLOW_UP_WORDS
    if own_request or not (leaning or says_filters or (len(words) <= 4 and (best is None or scores[best] < 3.5))):
        return None
    if "date" in intent.carry and not slots.temporal.dates and _next_day(slots.norms):
        return _day_after(last, now)
    if not changed:
        return None
    customer = last.arguments.get("customer")
    about = ctx.last_customer if ctx.last_customer and ctx.last_customer.id == customer else None
    built = intent.build(slots, ctx.evolve(last_customer=about, several=()), now, text)
    fresh = built.arguments if isinstance(built, (ToolCall, Ask)) else None
    if not fresh:
        return None
    update = {key: fresh[key] for key in changed if fresh.get(key) not in (None, [], "")}
    if not update:
        return None
    if "limit" in update and "more" in slots.norms:  # "5 more": the rows shown and that many again
        update["limit"] += last.arguments.get("limit") or _DEFAULT_ROWS
    return ToolCall(last.name, {**last.arguments, **update})


_FOLLOW_UP_WORDS = 8
_DEFAULT_ROWS = 10  # the call list's and the segments' default length
# words around a bare number that make it a list's length ("make it 3", "show me 10", "5 please")
_COUNT_FRAME = {"make", "it", "show", "me", "give", "only", "just", "top", "first", "the", "please", "pls", "now",
                "then", "ok", "okay", "so", "dao", "dekhao", "koro", "ta", "jon", "shudhu", "sudhu", "instead",
                "limit", "to", "max", "and", "what", "about", "how", "i", "want", "need", "list", "names", "more"}


def bare_count(slots: Slots) -> None:
    """A message that is only a number and words framing it asks for that many rows: sets ``slots.limit``."""
    if slots.limit is not None or slots.temporal.dates or slots.customers:
        return
    numbers = [t for t in slots.tokens if t.kind == "num" and isinstance(t.value, int)]
    words = [t.norm for t in slots.tokens if t.kind not in {"punct", "num"}]
    if len(numbers) == 1 and 0 < numbers[0].value <= 100 and all(w in _COUNT_FRAME for w in words):
        slots.limit = numbers[0].value


# "the day after", "the next day", "porer din": one day after the day the previous request was about
_NEXT_DAY = {("day", "after"), ("next", "day"), ("following", "day"), ("follow", "day"), ("porer", "din"),
             ("pore", "din"), ("porerdin",)}


def _next_day(norms: list[str]) -> bool:
    pairs = set(pairwise(norms)) | {(n,) for n in norms}
    return bool(_NEXT_DAY & pairs) and "tomorrow" not in norms


def _day_after(last: ToolCall, now: datetime) -> ToolCall:
    from datetime import date, timedelta
    base = last.arguments.get("date")
    day = date.fromisoformat(base) if isinstance(base, str) else now.date()
    return ToolCall(last.name, {**last.arguments, "date": (day + timedelta(days=1)).isoformat()})


def carry_declined(call: ToolCall, ctx: ConversationContext, slots: Slots) -> ToolCall:
    """``call`` with the details of a declined proposal of the same tool and customer it leaves out."""
    last = ctx.last_call
    if not ctx.unsent or last is None or last.name != call.name or call.name not in {lx.LOG, lx.FAMILY, lx.DRAFT}:
        return call
    if last.arguments.get("customer") != call.arguments.get("customer"):
        return call
    if not (is_correction(slots) or _short(slots)):
        return call  # a new, complete request for the same customer starts afresh: nothing leaks into it
    args = dict(call.arguments)
    for key in CARRIED:
        if args.get(key) in (None, [], "") and last.arguments.get(key) not in (None, [], ""):
            args[key] = last.arguments[key]
    if call.name == lx.LOG and last.arguments.get("notes") and is_correction(slots):
        args["notes"] = last.arguments["notes"]  # the correction is about the record, not its content
    return ToolCall(call.name, args)
