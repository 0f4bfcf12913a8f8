"""What the record intents (consent, notes, tags, deals) share: where the user's own words are.

A record request has a command part ("add a note to <customer>", "tag her as") and, often, the
user's own words (a note's text, a reason). These helpers find the words around the command by
token position, so a message is never matched against a fixed sentence.
"""
from __future__ import annotations

import re

from agent.offline import lexicon as lx
from agent.offline.intents.common import Who
from agent.offline.slots import Slots
from agent.offline.text import PhraseTable

# "... , too many offers" / "... because she moved abroad" / Banglish "karon ..."
REASON_LEADS = {"because", "since", "cause", "coz", "bcz", "bcoz", "karon", "karone", "jehetu", "reason"}
# the customer asked for it themselves: the consent change is at their request
ASKED = {"asked", "asks", "asking", "requested", "request", "requests", "wants", "want", "wanted", "said", "says",
         "told", "wrote", "replied", "complained", "bolse", "boleche", "bollo", "bolechen", "bolsen", "chay", "chan",
         "chaise", "cheyeche", "likhse", "likheche", "janiyeche", "janalo", "janaise"}


def name_positions(slots: Slots) -> set[int]:
    """Token positions of every customer the message names (resolved or not) and of their honorifics."""
    spans: set[int] = set()
    for m in slots.customers:
        spans.update(range(m.start, m.end))
        k = m.end
        while k < len(slots.tokens) and slots.norms[k] in lx.HONORIFICS | {"er", "r", "ke", "re"}:
            spans.add(k)
            k += 1
    return spans


def who_positions(who: Who, slots: Slots) -> set[int]:
    """Positions of the customer the request is about, with a glued case ending ("Rahim er", "Rahim ke")."""
    if who.mention is None:
        return set()
    span = set(range(who.mention.start, who.mention.end))
    k = who.mention.end
    while k < len(slots.tokens) and slots.norms[k] in lx.HONORIFICS | {"er", "r", "ke", "re", "'s"}:
        span.add(k)
        k += 1
    return span


def asked_by_customer(slots: Slots) -> bool:
    return bool(ASKED & set(slots.norms))


def tidy(text: str) -> str:
    """The user's words with runs of spaces collapsed and stray punctuation at the ends removed."""
    return re.sub(r"\s+", " ", text).strip(" ,;:-–—.")


def reason_clause(slots: Slots, text: str, after: int = 0) -> str | None:
    """The words after a reason lead ("because", "karon") or after the first comma / colon / semicolon
    following token ``after``; None when the message has no such clause."""
    for k in range(after, len(slots.tokens)):
        tok = slots.tokens[k]
        if tok.norm in REASON_LEADS or (tok.kind == "punct" and tok.text in {",", ";", ":"}):
            rest = tidy(text[tok.end:])
            if rest:
                return rest[:500]
    return None


def vocabulary(cues: dict[str, float], *tables: PhraseTable, words: set[str] = frozenset()) -> dict[str, float]:
    """``cues`` plus every single word of ``tables`` (and ``words``) at weight 0.

    A word of weight 0 scores nothing; it makes the word part of the model's vocabulary, so the
    typo fixer leaves it as typed ("reopen" is not "open", "retail" is not "detail").
    """
    known = set(words)
    for table in tables:
        known |= table.words()
    return {**{w: 0.0 for w in sorted(known) if w not in cues and w.isalpha()}, **cues}


def name_relation_only(slots: Slots) -> bool:
    """Every relationship word found lies inside a customer's name ("Fatema Begum"): no relative is meant."""
    named = {k for m in slots.customers if m.via == "name" for k in range(m.start, m.end)}
    return all(m.start in named for m in slots.relationships)


# a message opening with these asks about the record ("did you tag her?", "has she opted out?"): it reads
STATE_QUESTIONS = {"did", "does", "do", "has", "have", "is", "are", "was", "were", "what", "whats", "which", "who",
                   "whose", "when", "where", "why", "how"}


def asks_about(slots: Slots) -> bool:
    """The message is a question about the customer's records, not a request to change them."""
    words = [n for n in slots.norms if n not in lx.LEAD_FILLERS]
    return bool(words) and words[0] in STATE_QUESTIONS
