"""Upcoming birthdays and anniversaries (upcoming_events): how many days ahead."""
from __future__ import annotations

from datetime import datetime

from agent.offline.intents.common import Built, make_call
from agent.offline.registry import EVENTS, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "birthdays": 4, "bdays": 4, "anniversaries": 4, "upcoming": 2.5, "events": 3, "upcoming events": 5,
    "coming up": 2, "birthday": 1.5, "bday": 1.5, "anniversary": 1.5, "celebrations": 3, "occasions": 3,
    "jonmodin": 1.5, "special days": 4,
}


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if slots.temporal.window_days:
        scores[EVENTS] += 1
    if scores[EVENTS] and not slots.relationships and any(d.day.isoformat() >= today_iso for d in slots.temporal.dates):
        scores[EVENTS] += 1  # an occasion asked about on a coming day


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    days = slots.temporal.window_days
    if days is None and slots.temporal.dates:
        last = max(d.day for d in slots.temporal.dates)
        if last >= now.date():
            days = (last - now.date()).days + 1
    return make_call(EVENTS, {"days": days or 7})


register(Intent(EVENTS, CUES, build, evidence, rank=7, carry=("days",)))
