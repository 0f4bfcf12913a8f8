"""Marking an abandoned cart recovered (mark_dropoff_recovered): which drop-off, never in bulk."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents import view_360
from agent.offline.intents.common import (
    Ask,
    Built,
    asks_to_read,
    find_customer,
    make_call,
    several_customers,
    which_of_several,
    with_customer,
)
from agent.offline.registry import DROPOFF, Intent, register
from agent.offline.scoring import MIN_SCORE
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "recovered": 5, "recover": 3, "recovery": 3, "cart": 1.5, "carts": 1.5, "abandoned": 1, "drop off": 2,
    "dropoff": 2, "checkout": 1, "converted": 3, "mark": 1.5, "completed": 2, "went through": 3,
    "go through": 2, "got through": 3,
}
# cues saying the abandoned purchase happened after all; "cart" alone is only a topic
RECOVERY_CUES = {"recovered", "recover", "converted", "mark", "completed", "went through", "go through",
                 "got through"}
ONE_AT_A_TIME = ("I mark drop-offs recovered one at a time, for a customer you name, never in bulk. "
                 "Which customer came back and bought what they had left?")


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if slots.outcome == "purchased" and any(m.phrase.startswith("cart") for m in slots.matches["cue"]):
        scores[DROPOFF] += 2
    if slots.dropoff_id is not None:
        scores[DROPOFF] += 2
    if not _recovery_said(slots):
        # a cart named is a topic (a reminder, a question); recovering it takes a recovery word
        scores[DROPOFF] = min(scores[DROPOFF], MIN_SCORE - 0.5)


def _recovery_said(slots: Slots) -> bool:
    """A word saying the abandoned purchase happened after all (recovered, bought, paid, went through)."""
    return (slots.dropoff_id is not None or slots.outcome == "purchased"
            or any(DROPOFF in {intent for intent, _ in m.value} and m.phrase in RECOVERY_CUES
                   for m in slots.matches["cue"]))


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if asks_to_read(slots):  # asking to see carts marks nothing
        return view_360.build(slots, ctx, now, text)
    args: dict[str, Any] = {}
    if slots.dropoff_id is not None:
        args["dropoff_id"] = slots.dropoff_id
    words = set(slots.loose_words) | {w for p in slots.products for w in p.lower().split()}
    named = [m for m in slots.customers if m.via != "unknown"]
    if "dropoff_id" not in args and not named and not slots.pronoun and lx.MASS_WORDS & set(slots.norms):
        return Ask(DROPOFF, "customer", ONE_AT_A_TIME, args)  # never in bulk, never the context's customer
    several = several_customers(slots)
    if "dropoff_id" not in args and several:
        return which_of_several(DROPOFF, several, args)
    words -= lx.CART_WORDS
    if "dropoff_id" not in args and ctx.recent_dropoffs and words:
        # the carts a 360 view showed: the one whose product the message names (of the named customer)
        owner = find_customer(slots, ctx).ref if named else None
        hits = [d for d in ctx.recent_dropoffs if d.product and words & set(d.product.lower().split())
                and (owner is None or d.customer_id in (None, owner))]
        if len(hits) == 1:
            args["dropoff_id"] = hits[0].id
    if "dropoff_id" not in args:
        ask = with_customer(DROPOFF, find_customer(slots, ctx), args)
        if ask:
            return ask
    cut = re.search(r",|;|:|\s[-–—]\s", text)  # the clause after a separator is the note
    if cut:
        clause = text[cut.end():].strip()
        if len(clause.split()) >= 2:
            args["note"] = clause[:1].upper() + clause[1:]
    return make_call(DROPOFF, args)


register(Intent(DROPOFF, CUES, build, evidence, write=True, rank=2, about_customer=0.5,
                required=("customer|dropoff_id",), carry=("note",)))
