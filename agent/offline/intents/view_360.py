"""A customer's 360 view (get_360), including timeline filters (``intents.timeline``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline.intents.common import Built, find_customer, make_call, several_customers, with_customer
from agent.offline.intents.timeline import timeline_filters
from agent.offline.registry import V360, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "summarize": 4, "summarise": 4, "summary of": 3, "recap": 4, "sum up": 4, "what happened": 3,
    "what did * say": 3, "last call": 1.5, "last conversation": 2, "last visit": 1.5,
    "360": 5, "profile": 3, "details": 2.5, "detail": 2.5, "info": 2.5, "information": 2.5,
    "tell me about": 3, "who is": 2.5, "history": 2.5, "look up": 2.5, "lookup": 2.5, "pull up": 2.5,
    "show": 1.5, "show me": 1.5, "open": 1.5, "summary": 2, "overview": 2.5, "dekhao": 2, "dekhan": 2,
    "somporke": 2.5, "last order": 2.5, "orders": 2, "spent": 2, "phone number": 2, "timeline": 3,
    "everything": 1.5, "status": 1.5, "what do we know": 3, "update on": 2, "how is": 1.5, "kemon": 1,
    "view": 1.5, "tell me more": 3, "more about": 2.5, "more on": 2, "what about": 1,
}


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    several = several_customers(slots)
    if several and len(several) <= 3 and all(m.resolution is None or m.resolution.status == "unique"
                                             for m in slots.customers if m.via == "name"):
        return [make_call(V360, {"customer": c.id}) for c in several]  # two or three named: show each
    ask = with_customer(V360, find_customer(slots, ctx), args)
    if ask:
        return ask
    if slots.limit:
        args["timeline_limit"] = slots.limit
    args.update(timeline_filters(slots, now))
    return make_call(V360, args)


register(Intent(V360, CUES, build, rank=10, about_customer=1.5, required=("customer",)))
