"""RFM segments (rfm_segment): a customer's segment, a segment's members, or the distribution."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline.intents.common import Built, find_customer, make_call, with_customer
from agent.offline.registry import RFM, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "segment": 4, "segments": 4, "rfm": 5, "breakdown": 2.5, "distribution": 2.5, "split": 1.5,
    "which group": 2, "rfm score": 5, "category": 1.5,
}


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if slots.has("segment"):
        scores[RFM] += 3


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    segment = slots.first("segment")
    named = [m for m in slots.customers if m.via != "unknown"]
    if named or (slots.pronoun and ctx.last_customer and not segment):
        who = find_customer(slots, ctx)
        ask = with_customer(RFM, who, args)
        if ask:
            return ask
    elif segment:
        args["segment"] = segment
    args["limit"] = slots.limit
    return make_call(RFM, args)


register(Intent(RFM, CUES, build, evidence, rank=3, about_customer=0.5, carry=("segment", "limit")))
