"""Logging a contact (log_interaction): type, direction, outcome, duration, follow-up, products, when."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from agent.offline.intents import view_360
from agent.offline.intents.common import (
    QUESTIONS,
    Ask,
    Built,
    asks_to_read,
    clean_notes,
    find_customer,
    iso,
    make_call,
    products_said,
    several_customers,
    which_of_several,
    with_customer,
)
from agent.offline.registry import LOG, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "log": 4, "logged": 4, "note": 2, "add a note": 3, "record": 2.5, "update": 1.5, "called": 3,
    "just called": 4, "called me": 4, "call with": 1.5, "phoned": 3, "rang": 3, "spoke": 3, "spoken": 3,
    "talked": 3, "met": 2.5, "visited": 2.5, "came to": 2, "whatsapped": 3, "texted": 3, "emailed": 3,
    "messaged": 2.5, "sent": 2.5, "phone dilam": 4, "call dilam": 4, "call korlam": 4, "call korsi": 4,
    "call disi": 4, "phone korlam": 4, "phone korsi": 4, "kotha bollam": 4, "kotha holo": 4,
    "kotha hoise": 4, "kotha hoyeche": 4, "kotha bolsi": 4, "got a call": 4, "picked up": 2, "call back": 1,
    "callback": 1, "follow up": 1, "walked in": 3, "came in": 2, "dropped by": 3, "came by": 3,
    "msg dilam": 4, "message dilam": 4, "msg korlam": 4, "sms dilam": 4, "mail korlam": 4,
    "whatsapp korlam": 4, "knock dilam": 4, "got a whatsapp": 4, "got a message": 4, "got a msg": 4,
    "got an email": 4, "got a text": 4, "got an sms": 4, "received a whatsapp": 4, "received a message": 4,
    "received an email": 4, "dilam": 1.5, "korlam": 1.5, "he said": 1.5, "she said": 1.5, "said": 1,
    "replied": 3, "responded": 3, "had a meeting": 4, "had a call": 4, "meeting with": 2,
    "meeting hoise": 4, "meeting korlam": 4, "call hoise": 4, "visit korse": 3, "pathaisi": 3.5,
    "pathailam": 3.5, "pathiyechi": 3.5, "pathano hoise": 3.5, "send korsi": 3.5, "send korlam": 3.5,
    "send disi": 3.5, "smsed": 3, "smsd": 3, "answered": 2, "wrong number": 3, "ran into": 3, "bumped into": 3,
    "dropped in": 3, "stopped by": 3, "popped in": 3,
}


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if slots.outcome:
        scores[LOG] += 2.5
    if slots.type and not slots.has("channel"):
        scores[LOG] += 0.5
    if slots.temporal.duration_seconds:
        scores[LOG] += 2
    if slots.inbound:
        scores[LOG] += 1.5
    if slots.type == "in_person" and not slots.question and slots.customers and happened(slots):
        scores[LOG] += 2.5  # a visit that took place ("saw her at the shop") is a contact to log


# past-tense forms that say something took place (English irregulars, Banglish); "-ed" words count too
PAST_FORMS = {"saw", "met", "came", "ran", "went", "bought", "took", "told", "said", "spoke", "left", "got", "had",
              "brought", "paid", "chose", "gave", "was", "were", "ashchilo", "eshechilo", "gelo", "dekhlo", "dekhe",
              "kinse", "kinlo", "kineche", "kinechen", "korse", "korlam", "dilam", "hoise", "bollo", "bolse", "holo",
              "popped", "eshe"}


def happened(slots: Slots) -> bool:
    """The message tells of something that took place (a past-tense verb, or today / an earlier day named)."""
    words = [t.norm for t in slots.tokens if t.kind == "word"]
    return any(w in PAST_FORMS or (len(w) > 4 and w.endswith("ed")) for w in words)


# what else a date in a contact note may be the day of: then it is no follow-up
OTHER_EVENTS = {"delivery", "deliver", "delivered", "deliveries", "shipping", "ship", "shipped", "shipment", "arrive",
                "arrives", "arrival", "pickup", "install", "installation", "wedding", "party", "eid", "salary",
                "payday", "pay", "payment", "paid", "exam", "flight", "travel", "trip", "birthday", "anniversary",
                "born", "sale", "offer", "ends", "expires", "stock", "restock", "open", "opening", "closed", "leave",
                "holiday", "vacation", "returns", "event", "program"}
FOLLOW_UP_WORDS = {"follow", "remind", "reminder", "callback", "back", "again", "abar", "call", "phone", "ring",
                   "contact", "ping", "check", "visit", "come", "meet", "meeting", "talk", "message", "text"}


def _day_of_something_else(slots: Slots, mention) -> bool:
    """The nearest cue in the clause before the date names another event (a delivery, a payday)."""
    norms = slots.norms
    for k in range(mention.start - 1, max(-1, mention.start - 6), -1):
        word = norms[k]
        if word in {",", ";", ".", "and", "but"}:
            return False
        if word in FOLLOW_UP_WORDS:
            return False
        if word in OTHER_EVENTS:
            return True
    return False


def follow_up(slots: Slots, now: datetime, tz) -> str | None:
    """The first date (and time) from today on, when the message asks for a follow-up then."""
    today = now.date()
    wants = any(m.value == "callback" for m in slots.matches["outcome"]) or any(
        w in {"follow", "remind", "callback", "back", "again", "abar"} for w in slots.norms)
    later = [m for m in slots.temporal.dates if m.day > today and not _day_of_something_else(slots, m)]
    if later:  # a contact today with a later day named: the later day is the follow-up
        return iso(later[0].day, later[0].time, tz)
    for mention in slots.temporal.dates:
        if mention.day == today and (wants or mention.time) and (mention.time is None or mention.time > now.time()):
            return iso(mention.day, mention.time, tz)
    if slots.temporal.loose_time and wants:
        moment = slots.temporal.loose_time[1]
        day = today if moment > now.time() else today + timedelta(days=1)
        return iso(day, moment, tz)
    return None


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if asks_to_read(slots):  # a read verb naming someone by what they did logs nothing
        return view_360.build(slots, ctx, now, text)
    tz = now.tzinfo
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = with_customer(LOG, who, args)
    args["type"] = slots.type
    args["notes"] = clean_notes(slots, text)
    if slots.inbound:
        args["direction"] = "inbound"
    args["outcome"] = slots.outcome
    args["duration_seconds"] = slots.temporal.duration_seconds
    args["follow_up_at"] = follow_up(slots, now, tz)
    args["products"] = products_said(slots)
    past = [d for d in slots.temporal.dates if d.day < now.date()]
    if past:
        args["occurred_at"] = iso(past[0].day, past[0].time, tz)
    if ask:
        return ask
    several = several_customers(slots)
    if several:
        return which_of_several(LOG, several, args)
    if not args["type"]:
        return Ask(LOG, "type", QUESTIONS["type"].format(who=who.name or "them"), args)
    return make_call(LOG, args)


register(Intent(LOG, CUES, build, evidence, write=True, rank=6, about_customer=0.5,
                required=("customer", "type", "notes"),
                carry=("products", "outcome", "follow_up_at", "duration_seconds", "occurred_at", "direction")))
