"""Drafting a message (draft_reply): channel, topic, tone, language, and the customer's own message."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents.common import QUESTIONS, Ask, Built, draft_topic, find_customer, make_call, with_customer
from agent.offline.registry import DRAFT, LOG, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CUES = {
    "draft": 4, "write": 2.5, "compose": 3, "reply": 2, "prepare": 2, "message": 1, "send": 2.5, "lekho": 3,
    "likho": 3, "template": 2, "wish": 1.5, "text for": 2, "follow up message": 3, "pathao": 2, "pathai": 2,
    "reminder": 2.5, "nudge": 2,
}
_IMPERATIVE = {"whatsapp", "sms", "text", "email", "mail", "message", "msg", "inbox"}


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    words = [t for t in slots.tokens if t.kind != "punct"]
    if words and words[0].norm in _IMPERATIVE and not (
            slots.outcome or slots.temporal.duration_seconds or scores[LOG] >= 2.5):
        scores[DRAFT] += 3  # a channel as the first word is an order to write on it
    if slots.has("tone") or slots.has("language"):
        scores[DRAFT] += 2
    if slots.has("channel") and scores[DRAFT] >= 2:
        scores[DRAFT] += 1
    if slots.quoted:
        scores[DRAFT] += 1


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = with_customer(DRAFT, who, args)
    span = set(range(who.mention.start, who.mention.end)) if who.mention else set()
    replying = any(w in {"reply", "replied", "wrote", "asked", "message", "jiggesh"} for w in slots.norms)
    args["channel"] = slots.first("channel") or _reply_channel(slots, replying)
    topic = _after_colon(text, slots) or _trim(_fuller_topic(draft_topic(slots, span),
                                                              _topic_from_words(slots, span, "")))
    if slots.quoted and replying:
        args["incoming_message"] = slots.quoted
    args["topic"] = topic or (f"reply to: {slots.quoted}" if slots.quoted else _topic_from_words(slots, span))
    if slots.has("tone"):
        args["tone"] = slots.first("tone")
    args["language"] = slots.first("language")
    if ask:
        return ask
    if not args["channel"]:
        return Ask(DRAFT, "channel", QUESTIONS["channel"].format(who=who.name), args)
    return make_call(DRAFT, args)


# "tell her (that)", "let him know (that)", "say (that)", "inform them (that)": how to pass the topic on
_PASS_ON = re.compile(r"^(?:please\s+|pls\s+)?(?:(?:tell|inform|remind)\s+(?:him|her|them)|let\s+(?:him|her|them)\s+know"
                      r"|say|mention)\b(?:\s+(?:that|about|of))?\s*", re.IGNORECASE)


def _after_colon(text: str, slots: Slots) -> str | None:
    """ "<instruction>: <topic>": what follows the colon, as typed (amounts, "10%", casing kept), when
    the words before it order the draft (a channel or a draft word) and no customer message is quoted."""
    if slots.quoted or ":" not in slots.norms:
        return None
    head, _, tail = text.partition(":")
    head_words = set(re.findall(r"[^\W\d_]+", head.casefold()))
    if not (head_words & (set(CUES) | _IMPERATIVE) or slots.matches["channel"] and
            slots.matches["channel"][0].start < slots.norms.index(":")):
        return None
    reminder = re.match(r"^\s*(?:please\s+)?remind\b", tail, re.IGNORECASE) is not None
    topic = _PASS_ON.sub("", tail.strip()).strip(" .")
    if not topic:
        return None
    return f"reminder: {topic}" if reminder else topic


_CHANNEL_TYPES = {"whatsapp", "sms", "email", "facebook", "instagram"}


def _reply_channel(slots: Slots, replying: bool) -> str | None:
    """No channel named: a reply goes back where the customer wrote from ("she emailed: ... - reply")."""
    if slots.type in _CHANNEL_TYPES and (slots.inbound or replying or slots.quoted):
        return slots.type
    return None


def _trim(topic: str | None) -> str | None:
    """The topic without a trailing instruction on how to write it ("..., keep it short")."""
    if not topic:
        return topic
    words = topic.replace(",", " , ").split()
    while words and (words[-1].lower() in _REQUEST_WORDS | {",", "and"}):
        words.pop()
    return " ".join(words).replace(" , ", ", ").strip(" ,") or None


def _fuller_topic(topic: str | None, words: str) -> str | None:
    """The topic after "about"/"for", or all the message's other words when they say more than it
    ("a reminder about the kettle in his cart": the reminder and the cart matter too)."""
    if not topic or not words:
        return topic
    said = {w.lower() for w in topic.split()}
    extra = [w for w in words.split() if w.lower() not in said and w.lower() not in _TOPIC_GLUE | _REQUEST_WORDS]
    return words if extra else topic


_TOPIC_GLUE = {"about", "regarding", "re", "abt", "on", "niye", "somporke", "for", "in", "with", "and", "of"}
# words of the request itself (how to write it), never its topic: English and Banglish
_REQUEST_WORDS = {"dm", "keep", "it", "make", "ekta", "ekti", "ke", "niye", "somporke", "likhe", "dao", "koro", "den",
                  "emailed", "whatsapped", "texted", "messaged", "wrote", "replied", "smsed", "polite", "short", "brief", "quick"}


def _topic_from_words(slots: Slots, span: set[int], default: str = "follow-up") -> str:
    skip = {"draft", "write", "compose", "prepare", "send", "message", "msg", "reply", "lekho", "likho", "a", "an",
            "to", "for", "me", "please", "pls", "the", "her", "him", "his", "them", "their", "quick", "short",
            "on", "via", "by", "over"} | _REQUEST_WORDS
    used = set(span) | {k for t in ("channel", "tone", "language") for m in slots.matches[t] for k in range(m.start, m.end)}
    words = [t.text for k, t in enumerate(slots.tokens) if k not in used and t.kind != "punct" and t.norm not in skip
             and t.norm not in lx.PRONOUNS]
    return " ".join(words) or default


register(Intent(DRAFT, CUES, build, evidence, rank=4, about_customer=0.5, required=("customer", "channel", "topic"),
                carry=("channel", "topic", "tone", "language", "incoming_message")))
