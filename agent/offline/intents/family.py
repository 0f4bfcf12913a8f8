"""Adding a family member (add_family_member): the relative's name, relationship, dates, contact, job."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents import view_360
from agent.offline.intents.common import (
    QUESTIONS,
    Ask,
    Built,
    asks_to_read,
    find_customer,
    make_call,
    member_gender,
    member_name,
    more_members,
    several_customers,
    which_of_several,
    with_customer,
)
from agent.offline.registry import FAMILY, Intent, register
from agent.offline.slots import Slots
from agent.offline.slots.dates import DAY_AFTER, TODAY, TOMORROW, YESTERDAY
from agent.offline.types import ConversationContext

CUES = {
    "add": 1, "family": 3, "family member": 4, "born": 3, "dob": 3, "date of birth": 3, "birthday": 1.5,
    "bday": 1.5, "anniversary": 1, "jonmodin": 1.5, "jonmo": 2, "named": 1, "name is": 1,
}


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if slots.relationships:
        scores[FAMILY] += 2.5
        if slots.command:  # a relative named plus a write verb
            scores[FAMILY] += 1.5
        if any(d.has_year and d.day.isoformat() < today_iso for d in slots.temporal.dates):
            scores[FAMILY] += 2


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    relation = slots.relationships[0] if slots.relationships else None
    name, name_span = (member_name(slots, relation.end, relation.start) if relation else (None, set()))
    others = more_members(slots, name_span) if relation and name else []  # several names joined by "and" / commas
    for _, span in others:
        name_span = name_span | span
    contact_given = any(m.via in {"phone", "email"} for m in slots.customers)
    if asks_to_read(slots) or (
            name is None and not contact_given and lx.CONTACT_WORDS & set(slots.norms)):
        return view_360.build(slots, ctx, now, text)  # asking for a relative's contact detail adds nobody
    if relation is None:
        # no relationship word: the member is the first unknown or capitalised name
        norms = slots.norms
        names = [m for m in slots.customers if m.via in {"unknown", "name"} and not m.possessive]
        names.sort(key=lambda m: (norms[m.start - 1] not in {"named", "called", "name", "nam"} if m.start else True,
                                  m.via != "unknown", m.start and norms[m.start - 1] in {"to", "for"}))
        if names and len(slots.customers) > 1:
            name_span = set(range(names[0].start, names[0].end))
            name = " ".join(slots.tokens[k].text for k in sorted(name_span)).title()
    if relation is not None:  # a phone or email after the relative is the relative's
        name_span |= {m.start for m in slots.customers if m.via in {"phone", "email"} and m.start > relation.start}
    who = find_customer(slots, ctx, skip=name_span)
    ask = with_customer(FAMILY, who, args)
    args["name"] = name
    args["relationship"] = relation.value if relation else None
    args["gender"] = member_gender(slots, relation.start, relation.end) if relation else None
    born = [d for d in slots.temporal.dates]
    anniversary = any(w in _WEDDING for w in slots.norms)
    missing_year: dict[str, Any] = {}  # "date_of_birth" / "anniversary_date" -> a day and month told without a year
    for mention in born:
        cue = _date_cue(slots, mention.start)  # the nearest cue word before a date says whose date it is
        if not mention.has_year:
            if cue is None and all(slots.norms[k] in RELATIVE_DAYS for k in range(mention.start, mention.end)):
                continue
            key = "anniversary_date" if cue == "anniversary" or (cue is None and anniversary) else "date_of_birth"
            missing_year.setdefault(key, mention.day)
            continue
        if cue is None and all(slots.norms[k] in RELATIVE_DAYS for k in range(mention.start, mention.end)):
            continue  # a relative day word says when it was said, not a date of theirs
        if (cue == "anniversary" or (cue is None and anniversary)) and "anniversary_date" not in args:
            args["anniversary_date"] = mention.day.isoformat()
        elif mention.day < now.date() and "date_of_birth" not in args:
            args["date_of_birth"] = mention.day.isoformat()
    args["profession"] = _profession(slots)
    for m in slots.customers:
        if m.via in {"phone", "email"} and who.mention is not m:
            args["phone" if m.via == "phone" else "email"] = m.ref
    if ask:
        return ask
    several = several_customers(slots, skip=name_span)
    if several:
        return which_of_several(FAMILY, several, args)
    label = who.name or "the customer"
    if not args["relationship"]:
        return Ask(FAMILY, "relationship", QUESTIONS["relationship"].format(member=name or "they", who=label), args)
    if not name:
        return Ask(FAMILY, "name", QUESTIONS["name"].format(who=label, relation=slots.norms[relation.start]), args)
    for key, day in missing_year.items():
        if key in args:
            continue
        # the day and month wait in the question ("--MM-DD", never sent) for the year the answer gives
        waiting = {**args, key: f"--{day.month:02d}-{day.day:02d}"}
        return Ask(FAMILY, key, QUESTIONS[key].format(member=name, day=f"{day.day} {day:%B}"), waiting)
    if others:  # one add per person; each still goes through the confirmation gate
        return [make_call(FAMILY, args)] + [make_call(FAMILY, {**args, "name": other}) for other, _ in others]
    return make_call(FAMILY, args)


RELATIVE_DAYS = TODAY | TOMORROW | YESTERDAY | DAY_AFTER
_WEDDING = {"anniversary", "married", "biye", "wedding"}
_BIRTH = {"born", "birthday", "bday", "dob", "birth", "jonmo", "jonmodin"}


def _profession(slots: Slots) -> str | None:
    """The job after "works as", "profession", "occupation", "job" or "pesha"."""
    norms, tokens = slots.norms, slots.tokens
    for k, word in enumerate(norms):
        lead = (word == "works" and norms[k + 1: k + 2] == ["as"]) or word in {"profession", "occupation", "job",
                                                                                "pesha"}
        if not lead:
            continue
        j = k + (2 if word == "works" else 1)
        while j < len(norms) and norms[j] in {"a", "an", ":", "is", "-"}:
            j += 1
        words = []
        while j < len(norms) and tokens[j].kind == "word" and norms[j] not in {"at", "in", "and", "for", "with"} \
                and len(words) < 3:
            words.append(tokens[j].text)
            j += 1
        if words:
            return " ".join(words).lower()
    return None


def _date_cue(slots: Slots, start: int) -> str | None:
    """What the date at ``start`` is, from the nearest cue word in the five words before it."""
    for k in range(start - 1, max(-1, start - 6), -1):
        word = slots.norms[k]
        if word in _WEDDING:
            return "anniversary"
        if word in _BIRTH:
            return "birth"
    return None




register(Intent(FAMILY, CUES, build, evidence, write=True, rank=5, about_customer=0.5,
                required=("customer", "name", "relationship"),
                carry=("date_of_birth", "anniversary_date", "phone", "email", "profession")))
