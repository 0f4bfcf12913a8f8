"""Who to call: the call priority list, with its filters (date, limit, temperature, stage, mine)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents.common import Built, make_call
from agent.offline.registry import LIST, V360, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "who * call": 4, "who * to call": 4, "who * phone": 4, "who * to phone": 4, "whom * to call": 4,
    "whom * call": 4, "who * contact": 3.5, "call list": 5, "calling list": 5, "call priority": 5,
    "priority list": 5, "priority": 3, "priorities": 3, "customers to call": 5, "people to call": 5,
    "leads to call": 5, "to call today": 4, "calls today": 3, "calls for today": 4, "calls for tomorrow": 4,
    "kake * call": 5, "kake * phone": 5, "kader * call": 5, "kader * phone": 5, "kake kake": 4, "ke ke": 2,
    "call dibo": 1.5, "call korbo": 1.5, "call debo": 1.5, "today's list": 4, "todays list": 4,
    "my list": 3, "list for today": 4, "list for tomorrow": 4, "who is next": 3, "next call": 3,
    "call queue": 5, "follow ups due": 4, "who needs a call": 5, "should i call": 2, "anyone * call": 3.5,
    "anybody * call": 3.5, "forgot to call": 4, "forgot * call": 4, "overdue": 3, "due a follow": 4,
    "due for a call": 4, "follow up due": 4, "due for": 2, "pending follow": 3, "missed follow": 3,
    "call": 0.5, "calls": 1, "list": 1, "today": 0.5, "ajke": 0.5,
}


_WHO_WORDS = {"who", "whom", "anyone", "anybody", "kake", "kader", "kara", "ke"}
_CONTACT_VERBS = {"follow", "followup", "call", "calling", "ring", "ringing", "phone", "phoning", "dial", "dialing",
                  "contact", "contacting", "reach", "chase", "chasing"}


_CART_WORDS = {"cart", "carts", "dropoff", "dropoffs", "abandoned", "checkout", "checkouts", "basket", "baskets"}


def asks_for_carts(slots: Slots) -> bool:
    """Open drop-offs asked about nobody in particular ("show the abandoned carts", "who left items in
    their cart", "kar kar cart e ..."): the call list filtered to customers with an open drop-off."""
    norms = slots.norms
    said = bool(_CART_WORDS & set(norms)) or any(norms[k:k + 2] == ["drop", "off"] or norms[k:k + 2] == ["drop", "offs"]
                                                 for k in range(len(norms)))
    named = any(m.via != "unknown" for m in slots.customers)
    recovered = {"recovered", "recover", "converted", "bought", "paid", "completed", "kinse", "kineche", "kine"}
    return said and not named and not (recovered & set(norms)) and not slots.command


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if asks_for_carts(slots):
        scores[LIST] += 4
    if slots.has("temperature"):
        scores[LIST] += 2
    if slots.has("lifecycle") and not slots.has("segment"):
        scores[LIST] += 1.5
    if slots.has("mine"):
        scores[LIST] += 1.5
    words = [n for n in slots.norms if n not in lx.LEAD_FILLERS]
    # nobody named (a "name" that is only a contact verb, "anyone to chase", names nobody)
    nobody = not slots.pronoun and all(m.via == "unknown" and set(m.words) <= _CONTACT_VERBS for m in slots.customers)
    if words and words[0] in _WHO_WORDS and _CONTACT_VERBS & set(words) and nobody:
        scores[LIST] += 4  # a contact verb after "who" asks for the list, whatever the verb
    if nobody and not slots.has("segment") and ("list" in words or slots.limit is not None):
        scores[LIST] += 2.5  # "<day>'s list", "top 5 jon": rows of customers about nobody in particular
    if not (slots.customers or slots.pronoun) and scores[LIST] >= 2:
        scores[V360] -= 1.5  # "who is ..." about nobody in particular asks for a list


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    days = [d.day for d in slots.temporal.dates if d.day != now.date()]
    if days:
        args["date"] = days[0].isoformat()
    args["limit"] = slots.limit
    args["temperature"] = slots.first("temperature")
    args["lifecycle_stage"] = slots.first("lifecycle") if not slots.has("temperature") or slots.has("lifecycle") else None
    lead_words = {m.start for m in slots.matches["lifecycle"] if m.value == "lead"}
    temps = {m.end for m in slots.matches["temperature"]}
    if args["lifecycle_stage"] == "lead" and lead_words & temps:  # a temperature before "leads" filters by temperature
        args["lifecycle_stage"] = None
    if args["lifecycle_stage"] == "loyal" and not any(m.phrase.startswith("loyal") for m in slots.matches["lifecycle"]):
        args["lifecycle_stage"] = None
    if slots.has("mine"):
        args["assigned_to_me"] = True
    args["city"] = slots.first("city")
    if asks_for_carts(slots):
        args["open_dropoffs"] = True
    return _one_call_per_value(args, slots)


_FILTER_TABLES = {"temperature": "temperature", "lifecycle_stage": "lifecycle", "city": "city"}


def _one_call_per_value(args: dict[str, Any], slots: Slots) -> Built:
    """One list per value when a filter names several joined by "and" / "or" / "ar" ("hot and warm",
    "Dhaka and Sylhet"): the tool filters by one value, and keeping the first would drop the rest."""
    for key, table in _FILTER_TABLES.items():
        chosen = args.get(key)
        if chosen is None:
            continue
        found = [m for m in slots.matches[table] if not _negated_by(slots, m.start)]
        values = [chosen] + [m.value for m in found if m.value != chosen and _joined(slots, found, m)]
        values = list(dict.fromkeys(values))
        if len(values) > 1:
            return [make_call(LIST, {**args, key: value}) for value in values]
    return make_call(LIST, args)


_JOINERS = {"and", "or", "ar", "o", "ba", "&", ",", "/", "plus"}


def _joined(slots: Slots, found: list, match) -> bool:
    """A value joined to another of its kind by a conjunction or a comma ("hot and warm", "hot, warm")."""
    norms = slots.norms
    for other in found:
        if other is match:
            continue
        lo, hi = (other, match) if other.start < match.start else (match, other)
        between = norms[lo.end:hi.start]
        if between and len(between) <= 2 and set(between) <= _JOINERS | {"the"}:
            return True
    return False


def _negated_by(slots: Slots, start: int) -> bool:
    before = slots.norms[max(0, start - 1):start]
    return before in (["not"], ["na"], ["except"], ["without"])


register(Intent(LIST, CUES, build, evidence, rank=8,
                carry=("date", "limit", "temperature", "lifecycle_stage", "assigned_to_me", "city", "open_dropoffs")))
