"""Searching customers (find_customers) by name, phone, email or city."""
from __future__ import annotations

from datetime import datetime

from agent.offline.intents.common import Built, make_call
from agent.offline.registry import FIND, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "find": 3, "search": 3, "look for": 2.5, "named": 1.5, "any customer": 2.5, "customers in": 2.5,
    "customers from": 2.5, "khujo": 3, "khuje": 3, "list customers": 2, "is there a customer": 3,
    "do we have": 2,
}


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    for m in slots.customers:
        if m.via != "id":
            return make_call(FIND, {"query": " ".join(str(slots.tokens[k].text) for k in range(m.start, m.end))})
    leads = {"find", "search", "named", "called", "in", "from", "for", "khujo", "khuje"}
    norms = slots.norms
    for k, word in enumerate(norms):
        if word in leads and k + 1 < len(norms):
            rest = [t.text for t in slots.tokens[k + 1:] if t.kind != "punct" and t.norm not in {"customer", "customers", "a", "the", "named"}]
            if rest:
                return make_call(FIND, {"query": " ".join(rest)})
    return "Who should I look for? Give a name, phone number, email or city."


register(Intent(FIND, CUES, build, rank=9, carry=("query",)))
