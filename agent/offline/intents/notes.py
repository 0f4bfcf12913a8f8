"""A note on a customer (add_note): its text, its type and whether it is pinned.

- text: a quoted note; else what follows a colon; else what follows "that" / "saying" / "je"
  after the note word; else the words after the note command and the customer; else the clause
  before a trailing "note it". A trailing instruction ("pin it", "pin koro") is not part of it.
- type: a type word in the command ("complaint note", "note as a reminder"), else a strong word
  of the note itself ("complained", "praised", "remind"), else internal.
- pinned: "pin", "pinned", "important", "on top" (Banglish and Bangla map onto the same words).
A note about a contact that happened ("note: called her, no answer") is log_interaction's.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
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
from agent.offline.intents import view_360
from agent.offline.intents.records_text import asks_about, name_relation_only, tidy, vocabulary, who_positions
from agent.offline.registry import DRAFT, FAMILY, LOG, Intent, register
from agent.offline.slots import Slots
from agent.offline.text import PhraseTable, normalise, tokenize
from agent.offline.types import ConversationContext, PendingClarification

TOOL = "add_note"

CUES = {
    "note": 3, "notes": 2, "note for": 4, "note on": 4, "note to": 4, "add a note": 5, "add note": 5, "add an internal note": 5, "make a note": 5,
    "write a note": 4, "leave a note": 4, "take a note": 4, "note down": 4, "note that": 3, "jot down": 4,
    "note rakho": 5, "note koro": 4, "note likho": 5, "likhe rakho": 4, "note nao": 4, "note dao": 4,
    "note e": 3, "mone rakhben": 3, "remember that": 3, "pinned note": 5, "pin a note": 5, "pin note": 5,
    "complaint note": 5, "compliment note": 5, "internal note": 5, "reminder note": 5, "follow up note": 4,
}
NOTE_WORDS = {"note", "notes", "remember", "jot"}
# the command's words: never the start of the note's text
COMMAND_WORDS = {"a", "an", "the", "to", "for", "on", "of", "about", "er", "r", "jonno", "ke", "add", "make", "write",
                 "leave", "take", "down", "rakho", "koro", "likho", "likhe", "nao", "dao", "din", "new", "quick",
                 "pinned", "pin", "type", "as", "it", "please", "pls", "this", "note", "notes", "e", "te", "ekta",
                 "with", "that", "saying", "says", "je", "jot", "remember", "mone", "rakhben", "kore"}
BODY_LEADS = {"that", "saying", "says", "je", "reading"}
PIN = PhraseTable(dict.fromkeys(["pin", "pinned", "pin it", "important", "imp", "on top", "top e", "sticky",
                                 "keep it at the top", "keep on top"], True))
# a clause made only of these words is an instruction about the note ("pin it"), not its text
INSTRUCTION = {"pin", "pinned", "it", "this", "that", "koro", "kore", "rakho", "please", "pls", "and", "make", "keep",
               "top", "on", "at", "the", "important", "mark", "as", "note", "dao", "din", "e", "also", "too"}
TYPES = PhraseTable({
    **dict.fromkeys(["complaint", "complaints", "complain", "obhijog"], "complaint"),
    **dict.fromkeys(["compliment", "compliments", "praise", "kudos", "proshongsha", "positive feedback"], "compliment"),
    **dict.fromkeys(["reminder", "remind", "remind me"], "reminder"),
    **dict.fromkeys(["follow up", "followup"], "follow_up"),
    **dict.fromkeys(["internal", "general"], "internal"),
})
# strong words of the note's own text that say its type
TEXT_TYPES = PhraseTable({
    **dict.fromkeys(["complained", "complains", "complaint", "complaining", "obhijog", "angry about", "unhappy with",
                     "upset about"], "complaint"),
    **dict.fromkeys(["praised", "praises", "compliment", "complimented", "thanked us", "proshongsha", "happy with",
                     "loved the", "very satisfied"], "compliment"),
    **dict.fromkeys(["remind", "reminder", "do not forget", "remember to", "mone rakhben", "bhule jaben na"],
                    "reminder"),
    **dict.fromkeys(["follow up", "followup", "check back"], "follow_up"),
})
CUES = vocabulary(CUES, PIN, TYPES, TEXT_TYPES)
_SEND_VERBS = {"text", "sms", "email", "mail", "whatsapp", "message", "msg", "send", "draft", "compose", "inbox"}
_CONTACT_OUTCOMES = {"no_answer", "callback", "other"}  # how a contact went (not what the customer likes)
_CONTACT = {"called", "phoned", "rang", "spoke", "talked", "met", "visited", "messaged", "texted", "emailed",
            "whatsapped", "replied", "dilam", "korlam", "korsi", "disi", "pathaisi", "pathailam"}


def _body_start(slots: Slots) -> int:
    """Where the note's own words start (len(tokens) when it is quoted or absent after the command)."""
    for k, tok in enumerate(slots.tokens):
        if tok.text == ":" and tok.kind == "punct":
            return k
    return len(slots.tokens)


def _contact_in_command(slots: Slots, end: int) -> bool:
    """The request tells of a contact that happened: then it logs it.

    Only the command part counts ("add a note to X: called twice" is a note), unless the command
    names nobody and the text after the colon does ("note: called X, no answer" is a contact).
    """
    if not any(m.start < end for m in slots.customers) and any(m.start > end for m in slots.customers):
        end = len(slots.tokens)
    norms = slots.norms[:end]
    if _CONTACT & set(norms) or slots.temporal.duration_seconds or slots.inbound:
        return True
    return any(m.start < end and m.value in _CONTACT_OUTCOMES for m in slots.matches["outcome"])


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if _contact_in_command(slots, _body_start(slots)):
        scores[TOOL] -= 4  # "note: called her, no answer" is a logged contact
        return
    words = [n for n in slots.norms if n not in lx.LEAD_FILLERS]
    if words and words[0] in _SEND_VERBS:
        scores[TOOL] -= 3  # "email her a thank-you note": a message to draft, no note on the profile
        return
    if scores[TOOL] >= 4 or (scores[TOOL] >= 3 and name_relation_only(slots)):
        for other in (LOG, DRAFT, FAMILY):
            scores[other] = min(scores.get(other, 0.0), scores[TOOL] - 1)


def _trim_instruction(text: str) -> str:
    """The note without a trailing instruction clause ("..., pin it", "... pin koro")."""
    parts = text.replace(";", ",").split(",")
    while len(parts) > 1 and set(w.strip(".!").lower() for w in parts[-1].split()) <= INSTRUCTION:
        parts.pop()
    return tidy(",".join(parts))


def note_text(slots: Slots, text: str, skip: set[int]) -> tuple[str | None, int]:
    """(the note's text, where the command part ends)."""
    tokens = slots.tokens
    if slots.quoted:
        return slots.quoted, len(tokens)
    colon = _body_start(slots)
    if colon < len(tokens):
        return _trim_instruction(text[tokens[colon].end:]) or None, colon
    cues = [k for k, n in enumerate(slots.norms) if n in NOTE_WORDS]
    if not cues:
        return None, len(tokens)
    cue = cues[0]
    for k in range(cue + 1, len(tokens)):
        if slots.norms[k] in BODY_LEADS and k not in skip:
            return _trim_instruction(text[tokens[k].end:]) or None, k
    k = cue + 1
    while k < len(tokens) and (k in skip or slots.norms[k] in COMMAND_WORDS | lx.PRONOUNS
                               or tokens[k].kind == "punct" or _is_type_word(slots, k)):
        k += 1
    if k < len(tokens):
        return _trim_instruction(text[tokens[k].start:]) or None, k
    before = text[:tokens[cue].start]
    if any(t.kind == "word" and t.norm not in COMMAND_WORDS and k not in skip for k, t in enumerate(tokens[:cue])):  # "<the note>, note it": the words before the command
        return _trim_instruction(before.rsplit(",", 1)[0] if before.strip().endswith(",") else before) or None, 0
    return None, len(tokens)


def _is_type_word(slots: Slots, k: int) -> bool:
    return any(m.start <= k < m.end for m in TYPES.find(slots.norms))


def note_type(slots: Slots, command_end: int, body: str | None) -> str:
    for m in TYPES.find(slots.norms):
        if m.start < command_end:
            return m.value
    if body:
        found = TEXT_TYPES.find([t.norm for t in tokenize(normalise(body))])
        if found:
            return found[0].value
    return "internal"


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if (asks_to_read(slots) and not slots.command) or asks_about(slots):  # "show Rahim's notes": a read
        return view_360.build(slots, ctx, now, text)
    args: dict[str, Any] = {}
    inside = {m.start for m in slots.customers if m.start > _body_start(slots)}  # names in the note are no target
    who = find_customer(slots, ctx, skip=inside)
    ask = with_customer(TOOL, who, args)
    body, command_end = note_text(slots, text, who_positions(who, slots))
    args["text"] = body
    args["type"] = note_type(slots, command_end, body)
    if PIN.find(slots.norms):
        args["pinned"] = True
    if ask:
        return ask
    several = several_customers(slots, skip=inside)
    if several:
        return which_of_several(TOOL, several, args)
    if not body:
        return Ask(TOOL, "text", f"What should the note on {who.name or 'the customer'} say?", args)
    return make_call(TOOL, args)


def answer(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float]) -> dict | None:
    """The note's text, asked for: the whole answer (unless it is a request of its own)."""
    if pending.missing != "text" or max(scores.values(), default=0.0) >= 3.5:
        return None
    body = slots.quoted or _trim_instruction(text)
    return {"text": body[:1].upper() + body[1:]} if body else None


register(Intent(TOOL, CUES, build, evidence, write=True, rank=7, about_customer=0.5,
                required=("customer", "text"), carry=("type", "pinned"), answer=answer,
                says={"type": lambda s: bool(TYPES.find(s.norms)), "pinned": lambda s: bool(PIN.find(s.norms))}))
