"""Adding and removing a customer's tags (tag_customer).

The tags are the runs of words the request leaves over once the customer, the pronouns and the
command words ("tag", "as", "remove", "the", "hisebe", "dao" ...) are set aside; words joined by
"and" / "," / "o" are separate tags. Each run is added or removed by the nearest operation word
before it ("remove the vip tag", "untag"), else by the one after it (Banglish puts the verb last:
"vip tag ta bad dao"). Tags are normalised as the tool stores them (lower case, spaces as hyphens);
the tool refuses what it cannot store (too long, odd characters), naming the field.
"""
from __future__ import annotations

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
from agent.offline.intents.records_text import asks_about, REASON_LEADS, name_relation_only, vocabulary, who_positions
from agent.offline.registry import FAMILY, OOS, RFM, V360, Intent, register
from agent.offline.slots import Slots
from agent.offline.text import PhraseTable, fold
from agent.offline.types import ConversationContext, PendingClarification

TOOL = "tag_customer"

CUES = {
    "tag": 4, "tags": 3, "tagged": 3, "untag": 5, "label": 3, "labels": 3, "add * tag": 5, "remove * tag": 5,
    "delete * tag": 7, "remove * label": 5, "delete * label": 7, "tag koro": 5, "tag dao": 5, "tag din": 5,
    "tag lagao": 5, "tag bad": 5, "tag * as": 5, "label * as": 5, "hisebe tag": 5, "take * tag off": 5,
}
TAG_WORDS = {"tag", "tags", "tagged", "label", "labels", "labelled", "labeled", "untag", "hashtag"}
OPS = PhraseTable({
    **dict.fromkeys(["remove", "untag", "take off", "take * off", "delete", "drop", "clear", "unmark", "bad",
                     "bad dao", "sorao", "muche", "tule dao", "no longer", "remove from", "take"], "remove"),
    **dict.fromkeys(["add", "tag", "tags", "label", "put", "mark", "give", "dao", "din", "lagao", "apply",
                     "set"], "add"),
})
COMMAND = TAG_WORDS | {
    "as", "a", "an", "the", "to", "from", "for", "on", "of", "with", "customer", "add", "remove", "delete",
    "drop", "take", "off", "clear", "put", "mark", "give", "please", "pls", "dao", "din", "koro", "kore", "lagao",
    "hisebe", "hishebe", "hisabe", "bad", "sorao", "muche", "tule", "unmark", "apply", "set", "ke", "er", "r",
    "ta", "ti", "ar", "also", "too", "new", "it", "this", "that", "is", "be", "now", "one", "both", "her", "his",
    "their", "him", "them", "and", "or", "o", "&", "tag's", "called", "named", "profile", "account", "no",
    "longer", "can", "you", "e", "te", "oke", "take", "theke", "did", "does", "has", "have", "could", "would", "jonno", "sathe", "list", "into", "under",
}
CUES = vocabulary(CUES, OPS)
SEPARATORS = {"and", "or", "o", "ar", "&", ","}
BREAKS = REASON_LEADS | {".", ";", "?", "!"}


def tag_runs(slots: Slots, skip: set[int]) -> list[tuple[str, int, int]]:
    """(tag, start, end) for each run of leftover words in the tag clause."""
    tokens, norms = slots.tokens, slots.norms
    anchor = next((k for k, n in enumerate(norms) if n in TAG_WORDS), None)
    if anchor is None:
        return []
    end = next((k for k in range(anchor + 1, len(tokens)) if norms[k] in BREAKS), len(tokens))
    begin = max((k + 1 for k in range(anchor) if norms[k] in BREAKS), default=0)
    named = {k for m in slots.customers if m.via != "unknown" for k in range(m.start, m.end)} | skip
    runs: list[tuple[str, int, int]] = []
    k = begin
    while k < end:
        tok = tokens[k]
        part = tok.kind in {"word", "num"} and k not in named and norms[k] not in COMMAND \
            and norms[k] not in lx.PRONOUNS and norms[k] not in lx.HONORIFICS
        if not part:
            k += 1
            continue
        start = k
        while k < end and tokens[k].kind in {"word", "num"} and k not in named and norms[k] not in COMMAND:
            k += 1
        words = [fold(t.text).lstrip("#") for t in tokens[start:k]]
        runs.append(("-".join(w for w in words if w), start, k))
    return runs


def _operation(slots: Slots, start: int, end: int, runs: list[tuple[str, int, int]]) -> str:
    """ "remove" or "add": the nearest operation word before the run, else the ones after it."""
    ops = OPS.find(slots.norms)
    before = [m for m in ops if m.end <= start]
    if before:
        return before[-1].value
    nxt = min((s for _, s, _ in runs if s >= end), default=len(slots.tokens))
    after = [m.value for m in ops if end <= m.start < nxt]
    return "remove" if "remove" in after else "add"


def tag_lists(slots: Slots, skip: set[int]) -> tuple[list[str], list[str]]:
    runs = tag_runs(slots, skip)
    add: list[str] = []
    remove: list[str] = []
    for tag, start, end in runs:
        target = remove if _operation(slots, start, end, runs) == "remove" else add
        if tag and tag not in target:
            target.append(tag)
    if slots.quoted:
        quoted = "-".join(fold(slots.quoted).lstrip("#").split())
        target = remove if any(m.value == "remove" for m in OPS.find(slots.norms)) else add
        if quoted and quoted not in target:
            target.append(quoted)
    return add, remove


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if scores[TOOL] >= 3 and name_relation_only(slots):  # "Begum" of a customer's name is no relative
        scores[FAMILY] = min(scores[FAMILY], scores[TOOL] - 1)
    if scores[TOOL] >= 3 and tag_runs(slots, set()):
        scores[TOOL] += 1
        for other in (RFM, OOS, V360, "set_follow_up"):  # "remove the vip tag" is no segment, no deletion
            scores[other] = min(scores.get(other, 0.0), scores[TOOL] - 1)


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if (asks_to_read(slots) and not slots.command) or asks_about(slots):  # "show Rahim's tags": a read
        return view_360.build(slots, ctx, now, text)
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = with_customer(TOOL, who, args)
    add, remove = tag_lists(slots, who_positions(who, slots))
    args["add"], args["remove"] = add, remove
    if ask:
        return ask
    several = several_customers(slots)
    if several:
        return which_of_several(TOOL, several, args)
    if not add and not remove:
        return Ask(TOOL, "add", f"Which tag should I add to {who.name or 'the customer'} "
                                "(or say remove and the tag to take off)?", args)
    return make_call(TOOL, args)


def answer(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float]) -> dict | None:
    """The tag asked for: every leftover word of the answer is the tag ("eid shopper" -> eid-shopper)."""
    if pending.missing != "add" or max((v for k, v in scores.items() if k != TOOL), default=0.0) >= 3.5:
        return None
    words = [fold(t.text).lstrip("#") for t in slots.tokens
             if t.kind in {"word", "num"} and t.norm not in COMMAND and t.norm not in lx.PRONOUNS]
    if not words or len(words) > 6:
        return None
    removing = any(m.value == "remove" for m in OPS.find(slots.norms))
    return {"remove" if removing else "add": ["-".join(words)]}


register(Intent(TOOL, CUES, build, evidence, write=True, rank=7, about_customer=0.5,
                required=("customer", "add|remove"), carry=("add", "remove"), answer=answer))
