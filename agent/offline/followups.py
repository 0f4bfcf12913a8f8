"""Requests that lean on the previous call: the same again for someone else, and a correction.

- "same for <name>" / "<name> too" / "same thing with <name>": the previous call (a log, a draft,
  a 360 ...) again, for the newly named customer. A log's notes say where they were copied from.
- "sorry, it was <type>, not <type>": when the previous write was proposed but never ran
  (the user declined it) and the new call is the same tool for the same customer, details the new
  message leaves out (products, outcome, follow-up, duration, when) are carried over from it.
"""
from __future__ import annotations

from itertools import pairwise
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents.common import find_customer, make_call
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
    return bool({"sorry", "actually", "oops", "vul", "bhul"} & set(norms)) or bool(
        {("it", "was"), ("as", "a"), ("as", "an")} & pairs)


def carry_declined(call: ToolCall, ctx: ConversationContext, slots: Slots) -> ToolCall:
    """``call`` with the details of a declined proposal of the same tool and customer it leaves out."""
    last = ctx.last_call
    if not ctx.unsent or last is None or last.name != call.name or call.name not in {lx.LOG, lx.FAMILY, lx.DRAFT}:
        return call
    if last.arguments.get("customer") != call.arguments.get("customer"):
        return call
    args = dict(call.arguments)
    for key in CARRIED:
        if args.get(key) in (None, [], "") and last.arguments.get(key) not in (None, [], ""):
            args[key] = last.arguments[key]
    if call.name == lx.LOG and last.arguments.get("notes") and is_correction(slots):
        args["notes"] = last.arguments["notes"]  # the correction is about the record, not its content
    return ToolCall(call.name, args)
