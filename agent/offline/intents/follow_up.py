"""Scheduling, moving or cancelling a follow-up without logging a contact (set_follow_up).

A follow-up named with a verb that changes it (move, reschedule, cancel, set...) is a plan; a
contact that happened ("called her, call back Monday") is log_interaction's, whose follow_up_at
sets the next follow-up.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agent.offline.intents.common import Ask, Built, find_customer, iso, make_call, with_customer
from agent.offline.registry import Intent, register
from agent.offline.slots import Slots
from agent.offline.text import PhraseTable
from agent.offline.types import ConversationContext, PendingClarification

TOOL = FOLLOW = "set_follow_up"

FOLLOW_CUES = {
    "follow up": 1.5, "followup": 1.5, "reminder": 1.5,
    "move * follow up": 5, "move * followup": 5, "reschedule": 5, "postpone": 4,
    "push * follow up": 5, "shift * follow up": 5, "change * follow up": 5, "cancel * follow up": 6,
    "cancel * followup": 6, "delete * follow up": 6, "remove * follow up": 6, "drop * follow up": 5,
    "clear * follow up": 5, "no need to follow": 5, "set * follow up": 5, "schedule * follow up": 5,
    "add * follow up": 5, "book * follow up": 5, "plan * follow up": 4, "remind me to call": 5,
    "remind me to follow": 5, "follow up * shift": 5, "follow up * move": 5, "shift koro": 3,
    "shift kore": 3, "pichiye": 4, "batil": 5, "cancel koro": 5, "close * follow up": 6, "done with * follow up": 6,
    "follow up * done": 5, "follow up * lagbe na": 6, "follow up * dorkar nai": 6, "follow up * bad dao": 6,
    "follow up * hoye geche": 5, "follow up * shesh": 5, "follow up * close": 6, "follow up * cancel": 6,
    "follow up * sorao": 5, "follow up * bondho": 6, "follow up * dao": 3, "follow up * koro": 2.5, "follow up * rakho": 3,
}
# "followup" and "follow-up" (read as "follow up") are the same word
FOLLOW_CUES.update({k.replace("follow up", "followup"): v for k, v in FOLLOW_CUES.items() if "follow up" in k})
CANCEL_WORDS = {"cancel", "cancelled", "canceled", "delete", "remove", "drop", "clear", "batil", "close"}
# what closes the open follow-up (no new time): a cancel word, or "done", "no longer needed", Banglish "lagbe na"
CLOSE = PhraseTable(dict.fromkeys([*CANCEL_WORDS, "closed", "done", "completed", "finished", "lagbe na",
                                   "dorkar nai", "dorkar nei", "no need", "not needed", "bad dao", "shesh",
                                   "hoye geche", "sorao", "bondho kore dao", "bondho koro", "bondho kore din"], True))
CONTACT_PAST = {"called", "talked", "spoke", "spoken", "met", "visited", "messaged", "texted", "emailed",
                "phoned", "rang", "answered", "just"}
FOLLOW_WORDS = {"follow", "followup", "reminder"}
NOTE_AFTER = re.compile(r",|;|:|\s[-–—]\s|\bbecause\b|\babout\b|\bkaron\b", re.I)


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    words = set(slots.norms)
    if words & FOLLOW_WORDS and CLOSE.find(slots.norms):
        scores[FOLLOW] += 2
    closing = bool(words & FOLLOW_WORDS and CLOSE.find(slots.norms))
    # an outcome beside "close the follow-up" is why it closes ("she bought already"), not a contact to log
    if words & CONTACT_PAST or (slots.outcome and not closing) or slots.temporal.duration_seconds:
        scores[FOLLOW] -= 4  # "called her, call back Monday": a logged contact with a follow-up
    if scores[FOLLOW] >= 4:
        scores["log_interaction"] = min(scores.get("log_interaction", 0.0), scores[FOLLOW] - 1)


def _note(text: str) -> str | None:
    found = NOTE_AFTER.search(text)
    note = text[found.end():].strip(" .,;:-–—") if found else ""
    return note[:300] or None


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    ask = with_customer(FOLLOW, find_customer(slots, ctx), args)  # a write never goes to a guessed name
    if ask:
        return ask
    who = find_customer(slots, ctx)
    note = _note(text)
    if note:
        args["note"] = note
    if CLOSE.find(slots.norms) and not slots.temporal.dates:
        return make_call(FOLLOW, args)  # no "at": the open follow-up is closed
    dates = list(slots.temporal.dates)
    if dates:  # the first day named from today on, else the one given (the tool refuses the past)
        chosen = next((d for d in dates if d.day >= now.date()), dates[0])
        args["at"] = iso(chosen.day, chosen.time, now.tzinfo)
        return make_call(FOLLOW, args)
    if slots.temporal.loose_time:
        args["at"] = iso(now.date(), slots.temporal.loose_time[1], now.tzinfo)
        return make_call(FOLLOW, args)
    return Ask(FOLLOW, "at", f"When should the follow-up with {who.name or 'them'} be? Give a day (and a "
                             "time if it matters), or say cancel to close it.", args)


def answer(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float]) -> dict | None:
    """The day (and time) asked for: "Monday", "kal 5 ta", "28 Nov at 3pm"."""
    if pending.missing != "at" or not slots.temporal.dates:
        return None
    chosen = slots.temporal.dates[0]  # no offset: the tool reads it in business local time
    return {"at": iso(chosen.day, chosen.time, None)}


register(Intent(FOLLOW, FOLLOW_CUES, build, evidence, write=True, rank=6, about_customer=0.5,
                required=("customer",), carry=("at", "note"), answer=answer))
