"""One builder per intent: slots + context -> a ToolCall, an Ask, or a plain reply text."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.calls import (
    QUESTIONS,
    Ask,
    Who,
    clean_notes,
    draft_topic,
    find_customer,
    iso,
    make_call,
    member_name,
    more_members,
    products_said,
    several_customers,
    which_of_several,
    who_question,
)
from agent.offline.dates import DAY_AFTER, TODAY, TOMORROW, YESTERDAY
from agent.offline.entities import Slots
from agent.offline.timeline import timeline_filters
from agent.offline.types import ConversationContext, ToolCall

Built = ToolCall | list[ToolCall] | Ask | str
ONE_AT_A_TIME = ("I mark drop-offs recovered one at a time, for a customer you name, never in bulk. "
                 "Which customer came back and bought what they had left?")


def asks_to_read(slots: Slots) -> bool:
    """ "show me ...", "what is ...", "who ...": a request to see something, which never writes."""
    return bool(slots.norms) and slots.norms[0] in lx.QUESTION_LEADS


def _with_customer(tool: str, who: Who, args: dict[str, Any]) -> Ask | None:
    if who.problem:
        return who_question(who, tool, args)
    args["customer"] = who.ref
    return None


def build_list(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    days = [d.day for d in slots.temporal.dates if d.day != now.date()]
    if days:
        args["date"] = days[0].isoformat()
    args["limit"] = slots.limit
    args["temperature"] = slots.first("temperature")
    args["lifecycle_stage"] = slots.first("lifecycle") if not slots.has("temperature") or slots.has("lifecycle") else None
    lead_words = {m.start for m in slots.matches["lifecycle"] if m.value == "lead"}
    temps = {m.end for m in slots.matches["temperature"]}
    if args["lifecycle_stage"] == "lead" and lead_words & temps:  # "hot leads" means hot customers
        args["lifecycle_stage"] = None
    if args["lifecycle_stage"] == "loyal" and not any(m.phrase.startswith("loyal") for m in slots.matches["lifecycle"]):
        args["lifecycle_stage"] = None
    if slots.has("mine"):
        args["assigned_to_me"] = True
    return make_call(lx.LIST, args)


def build_360(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    several = several_customers(slots)
    if several and len(several) <= 3 and all(m.resolution is None or m.resolution.status == "unique"
                                             for m in slots.customers if m.via == "name"):
        return [make_call(lx.V360, {"customer": c.id}) for c in several]  # "pull up Rahim and Fatema": both
    ask = _with_customer(lx.V360, find_customer(slots, ctx), args)
    if ask:
        return ask
    if slots.limit:
        args["timeline_limit"] = slots.limit
    args.update(timeline_filters(slots, now))
    return make_call(lx.V360, args)


def follow_up(slots: Slots, now: datetime, tz) -> str | None:
    """The first date (and time) from today on, when the message asks for a follow-up then."""
    today = now.date()
    wants = any(m.value == "callback" for m in slots.matches["outcome"]) or any(
        w in {"follow", "remind", "callback", "back", "again", "abar"} for w in slots.norms)
    later = [m for m in slots.temporal.dates if m.day > today]
    if later:  # "long call today ... call him back on Sunday": the later day is the follow-up
        return iso(later[0].day, later[0].time, tz)
    for mention in slots.temporal.dates:
        if mention.day == today and (wants or mention.time) and (mention.time is None or mention.time > now.time()):
            return iso(mention.day, mention.time, tz)
    if slots.temporal.loose_time and wants:
        moment = slots.temporal.loose_time[1]
        day = today if moment > now.time() else today + timedelta(days=1)
        return iso(day, moment, tz)
    return None


def build_log(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if asks_to_read(slots):  # "show me the customer called X" names someone; it logs nothing
        return build_360(slots, ctx, now, text)
    tz = now.tzinfo
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = _with_customer(lx.LOG, who, args)
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
        return which_of_several(lx.LOG, several, args)
    if not args["type"]:
        return Ask(lx.LOG, "type", QUESTIONS["type"].format(who=who.name or "them"), args)
    return make_call(lx.LOG, args)


def build_family(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    relation = slots.relationships[0] if slots.relationships else None
    name, name_span = (member_name(slots, relation.end, relation.start) if relation else (None, set()))
    others = more_members(slots, name_span) if relation and name else []  # "twin daughters, Aisha and Anika"
    for _, span in others:
        name_span = name_span | span
    contact_given = any(m.via in {"phone", "email"} for m in slots.customers)
    if asks_to_read(slots) or (
            name is None and not contact_given and lx.CONTACT_WORDS & set(slots.norms)):
        return build_360(slots, ctx, now, text)  # "what's his wife's number?" asks; it adds nobody
    if relation is None:
        # "add Sarah to Rahim's family": the member is the first unknown/capitalised name
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
    ask = _with_customer(lx.FAMILY, who, args)
    args["name"] = name
    args["relationship"] = relation.value if relation else None
    born = [d for d in slots.temporal.dates]
    anniversary = any(w in _WEDDING for w in slots.norms)
    missing_year = None
    for mention in born:
        if not mention.has_year:
            missing_year = mention
            continue
        cue = _date_cue(slots, mention.start)  # "born 8 Aug 1980 ... married on 20th Dec 2012"
        if cue is None and all(slots.norms[k] in RELATIVE_DAYS for k in range(mention.start, mention.end)):
            continue  # "told me about her husband today": when it was said, not a date of theirs
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
        return which_of_several(lx.FAMILY, several, args)
    label = who.name or "the customer"
    if not args["relationship"]:
        return Ask(lx.FAMILY, "relationship", QUESTIONS["relationship"].format(member=name or "they", who=label), args)
    if not name:
        return Ask(lx.FAMILY, "name", QUESTIONS["name"].format(who=label, relation=slots.norms[relation.start]), args)
    if missing_year and "date_of_birth" not in args and not anniversary:
        return Ask(lx.FAMILY, "date_of_birth", QUESTIONS["date_of_birth"].format(member=name), args)
    if others:  # one add per person; each still goes through the confirmation gate
        return [make_call(lx.FAMILY, args)] + [make_call(lx.FAMILY, {**args, "name": other}) for other, _ in others]
    return make_call(lx.FAMILY, args)


RELATIVE_DAYS = TODAY | TOMORROW | YESTERDAY | DAY_AFTER
_WEDDING = {"anniversary", "married", "biye", "wedding"}
_BIRTH = {"born", "birthday", "bday", "dob", "birth", "jonmo", "jonmodin"}


def _profession(slots: Slots) -> str | None:
    """ "works as a banker at Sonali Bank", "profession: teacher", "she is a doctor" -> the job."""
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


def build_rfm(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    segment = slots.first("segment")
    named = [m for m in slots.customers if m.via != "unknown"]
    if named or (slots.pronoun and ctx.last_customer and not segment):
        who = find_customer(slots, ctx)
        ask = _with_customer(lx.RFM, who, args)
        if ask:
            return ask
    elif segment:
        args["segment"] = segment
    args["limit"] = slots.limit
    return make_call(lx.RFM, args)


def build_draft(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = _with_customer(lx.DRAFT, who, args)
    span = set(range(who.mention.start, who.mention.end)) if who.mention else set()
    args["channel"] = slots.first("channel")
    topic = draft_topic(slots, span)
    replying = any(w in {"reply", "replied", "wrote", "asked", "message", "jiggesh"} for w in slots.norms)
    if slots.quoted and replying:
        args["incoming_message"] = slots.quoted
    args["topic"] = topic or (f"reply to: {slots.quoted}" if slots.quoted else _topic_from_words(slots, span))
    if slots.has("tone"):
        args["tone"] = slots.first("tone")
    args["language"] = slots.first("language")
    if ask:
        return ask
    if not args["channel"]:
        return Ask(lx.DRAFT, "channel", QUESTIONS["channel"].format(who=who.name), args)
    return make_call(lx.DRAFT, args)


def _topic_from_words(slots: Slots, span: set[int]) -> str:
    skip = {"draft", "write", "compose", "prepare", "send", "message", "msg", "reply", "lekho", "likho", "a", "an",
            "to", "for", "me", "please", "pls", "the", "her", "him", "his", "them", "their", "quick", "short",
            "on", "via", "by", "over"}
    used = set(span) | {k for t in ("channel", "tone", "language") for m in slots.matches[t] for k in range(m.start, m.end)}
    words = [t.text for k, t in enumerate(slots.tokens) if k not in used and t.kind != "punct" and t.norm not in skip
             and t.norm not in lx.PRONOUNS]
    return " ".join(words) or "follow-up"


def build_dropoff(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if asks_to_read(slots):  # "show me Fatema's abandoned carts" marks nothing
        return build_360(slots, ctx, now, text)
    args: dict[str, Any] = {}
    if slots.dropoff_id is not None:
        args["dropoff_id"] = slots.dropoff_id
    words = set(slots.loose_words) | {w for p in slots.products for w in p.lower().split()}
    named = [m for m in slots.customers if m.via != "unknown"]
    if "dropoff_id" not in args and not named and not slots.pronoun and lx.MASS_WORDS & set(slots.norms):
        return Ask(lx.DROPOFF, "customer", ONE_AT_A_TIME, args)  # never in bulk, never the context's customer
    several = several_customers(slots)
    if "dropoff_id" not in args and several:
        return which_of_several(lx.DROPOFF, several, args)
    words -= lx.CART_WORDS
    if "dropoff_id" not in args and ctx.recent_dropoffs and words:
        # the carts a 360 view showed: the one whose product the message names (of the named customer)
        owner = find_customer(slots, ctx).ref if named else None
        hits = [d for d in ctx.recent_dropoffs if d.product and words & set(d.product.lower().split())
                and (owner is None or d.customer_id in (None, owner))]
        if len(hits) == 1:
            args["dropoff_id"] = hits[0].id
    if "dropoff_id" not in args:
        who = find_customer(slots, ctx)
        if who.problem:
            return who_question(who, lx.DROPOFF, args)
        args["customer"] = who.ref
    cut = re.search(r",|;|:|\s[-–—]\s", text)  # "Tanjila's cart is recovered - she paid by bKash"
    if cut:
        clause = text[cut.end():].strip()
        if len(clause.split()) >= 2:
            args["note"] = clause[:1].upper() + clause[1:]
    return make_call(lx.DROPOFF, args)


def build_events(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    days = slots.temporal.window_days
    if days is None and slots.temporal.dates:
        last = max(d.day for d in slots.temporal.dates)
        if last >= now.date():
            days = (last - now.date()).days + 1
    return make_call(lx.EVENTS, {"days": days or 7})


def build_find(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    for m in slots.customers:
        if m.via != "id":
            return make_call(lx.FIND, {"query": " ".join(str(slots.tokens[k].text) for k in range(m.start, m.end))})
    leads = {"find", "search", "named", "called", "in", "from", "for", "khujo", "khuje"}
    norms = slots.norms
    for k, word in enumerate(norms):
        if word in leads and k + 1 < len(norms):
            rest = [t.text for t in slots.tokens[k + 1:] if t.kind != "punct" and t.norm not in {"customer", "customers", "a", "the", "named"}]
            if rest:
                return make_call(lx.FIND, {"query": " ".join(rest)})
    return "Who should I look for? Give a name, phone number, email or city."


BUILDERS = {
    lx.LIST: build_list, lx.V360: build_360, lx.LOG: build_log, lx.FAMILY: build_family, lx.RFM: build_rfm,
    lx.DRAFT: build_draft, lx.DROPOFF: build_dropoff, lx.EVENTS: build_events, lx.FIND: build_find,
}
