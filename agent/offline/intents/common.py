"""What every intent's builder shares: finding the customer, asking instead of guessing, making the call."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from agent.offline import lexicon as lx
from agent.offline import registry
from agent.offline.catalogue import Catalogue
from agent.offline.slots import lexicon_words, CustomerMention, Slots
from agent.offline.types import Candidate, ConversationContext, CustomerRef, ToolCall

QUESTIONS = {
    "type": "How did you talk with {who}: call, WhatsApp, SMS, email, meeting, Facebook, Instagram or in person?",
    "relationship": "How is {member} related to {who}: spouse, child, parent, sibling, grandparent or other?",
    "name": "What is the name of {who}'s {relation}?",
    "channel": "Which channel should the draft to {who} use: WhatsApp, SMS, email, Facebook or Instagram?",
    "date_of_birth": "What is {member}'s full date of birth, with the year (for example 1990-11-22)?",
    "anniversary_date": "Which year was {member}'s wedding ({day})? Give the year (for example 2012) or the full "
                        "date, or say skip to save {member} without it.",
}
_LOG_PREFIX = {"log", "logged", "note", "notes", "record", "add", "please", "pls", "a", "an", "the", "with", "for",
               "to", "on", "of", "new", "interaction", "entry", ":", "-", ",", "."}
_TOPIC_LEADS = {"about", "regarding", "re", "abt", "on", "niye", "somporke", "for"}
_TOPIC_DROP = {"her", "his", "their", "the", "a", "an", "our", "my", "tar", "him", "them", "that", "this"}


@dataclass
class Ask:
    """A clarifying question: ``missing`` names the argument; ``arguments`` hold what is already known.

    With ``candidates``, the question is ``question`` + one numbered line per candidate + ``tail``
    (the model fills in each candidate's details before showing it: ``candidate_lines``).
    """

    tool: str
    missing: str
    question: str
    arguments: dict[str, Any]
    candidates: tuple[Candidate, ...] = ()
    tail: str = ""

    def text(self) -> str:
        if not self.candidates:
            return self.question
        return "\n".join([self.question, *candidate_lines(self.candidates), self.tail]).strip()


def candidate_lines(candidates: tuple[Candidate, ...]) -> list[str]:
    """ "1. Rahim Ahmed (#12, Dhaka, 017•••••678, last contact 2026-11-02)": what tells them apart."""
    lines = []
    for n, c in enumerate(candidates, 1):
        extra = ", ".join(x for x in (f"#{c.id}", c.city, c.detail) if x)
        lines.append(f"{n}. {c.name} ({extra})")
    return lines


@dataclass
class Who:
    ref: int | str | None = None
    name: str | None = None
    customer: CustomerRef | None = None
    problem: str | None = None  # missing, ambiguous, unknown
    candidates: tuple[Candidate, ...] = ()
    typed: str = ""
    mention: CustomerMention | None = field(default=None, repr=False)
    guess: str | None = None  # a name match that is not sure enough for a write: "fuzzy" or "partial"
    note: str | None = None  # what the user should be told about the choice (a discussed customer preferred)


def _typed(slots: Slots, m: CustomerMention) -> str:
    """The name as typed, without a Banglish case ending written apart ("<name> ke", "<name> er")."""
    words = [slots.tokens[k] for k in range(m.start, m.end) if slots.tokens[k].kind == "word"]
    while len(words) > 1 and words[-1].norm in {"ke", "er", "r", "re", "ki"}:
        words.pop()
    return " ".join(t.text for t in words)


def find_customer(slots: Slots, ctx: ConversationContext, skip: set[int] = frozenset()) -> Who:
    """The customer the message is about: a phone/email/id, a name, or (pronoun / nothing said) the context's.

    Among several customers sharing the typed name, one discussed in the last turns is taken (and
    the reply says so); otherwise the user is asked.
    """
    mentions = [m for m in slots.customers if m.start not in skip]
    for m in mentions:
        if m.via in {"phone", "email", "id"}:
            return Who(ref=m.ref, name=m.words[0], mention=m)
    for m in mentions:
        res = m.resolution
        if m.via == "name" and res and res.status == "unique":
            entry = res.best
            guess = None if res.exact and not res.partial else ("partial" if res.exact else "fuzzy")
            return Who(ref=entry.id, name=entry.name, customer=CustomerRef(entry.id, entry.name), mention=m,
                       guess=guess, typed=_typed(slots, m),
                       candidates=tuple(Candidate(c.id, c.name, c.city) for c in res.candidates))
    for m in mentions:
        res = m.resolution
        if m.via == "name" and res and res.status == "ambiguous":
            options = tuple(Candidate(c.id, c.name, c.city) for c in res.candidates)
            discussed = _discussed(ctx, {c.id for c in options})
            if discussed is not None:
                note = f"I took {discussed.name} (#{discussed.id}), whom we were just talking about."
                return Who(ref=discussed.id, name=discussed.name, customer=discussed, mention=m, note=note,
                           guess=None if res.exact else "fuzzy", typed=_typed(slots, m),
                           candidates=tuple(o for o in options if o.id == discussed.id))
            return Who(problem="ambiguous", candidates=options, typed=m.text.title(), mention=m)
    for m in mentions:
        if m.via == "unknown":
            closest = m.resolution.closest if m.resolution else ()
            return Who(problem="unknown", typed=_typed(slots, m), mention=m,
                       candidates=tuple(Candidate(c.id, c.name, c.city) for c in closest))
    if slots.ordinal is not None and ctx.listed:  # an ordinal after a list: that row
        position = slots.ordinal - 1 if slots.ordinal > 0 else len(ctx.listed) - 1
        if 0 <= position < len(ctx.listed):
            chosen = ctx.listed[position]
            return Who(ref=chosen.id, name=chosen.name, customer=chosen)
    if len(ctx.several) > 1:
        # two customers shown together, then a pronoun: which of the two is not ours to guess
        options = tuple(Candidate(c.id, c.name) for c in ctx.several)
        return Who(problem="ambiguous", candidates=options, typed="customer")
    if ctx.last_customer:
        return Who(ref=ctx.last_customer.id, name=ctx.last_customer.name, customer=ctx.last_customer)
    return Who(problem="missing")


def titled_surname(m: CustomerMention) -> bool:
    """A surname said with a title or honorific ("<surname> saheb", "Mr. <surname>") that only one
    customer in the book has, as typed: the way desks name a customer they know, so a unique
    reference. A surname several customers share is still ambiguous (never reaches here), and a bare
    surname or a misspelt one is still asked about."""
    res = m.resolution
    strong = [w for w in m.words if w not in lx.HONORIFICS]
    return bool(m.honorific and res and res.status == "unique" and res.exact and len(strong) == 1
                and len(res.candidates) == 1)


def _discussed(ctx: ConversationContext, ids: set[int]) -> CustomerRef | None:
    """The one customer among ``ids`` the last turns were about (the last one, else the recent ones)."""
    if ctx.last_customer and ctx.last_customer.id in ids:
        return ctx.last_customer
    recent = [c for c in ctx.recent if c.id in ids]
    return recent[0] if len({c.id for c in recent}) == 1 else None


def several_customers(slots: Slots, skip: set[int] = frozenset()) -> tuple[Candidate, ...]:
    """The customers a write request names when it names more than one (else ``()``).

    A write goes to one customer, so two names mean the user must say which; the model never
    picks one of them for a write.
    """
    found: dict[int, Candidate] = {}
    for m in slots.customers:
        if m.start in skip or m.via != "name" or not m.resolution or m.resolution.status == "none":
            continue
        entries = m.resolution.candidates[:1] if m.resolution.status == "unique" else m.resolution.candidates
        for entry in entries:
            found.setdefault(entry.id, Candidate(entry.id, entry.name, entry.city))
    distinct_mentions = {m.resolution.candidates[0].id if m.resolution.status == "unique" else -m.start
                         for m in slots.customers
                         if m.start not in skip and m.via == "name" and m.resolution and m.resolution.status != "none"}
    return tuple(found.values())[:5] if len(distinct_mentions) > 1 else ()


PICK = "Reply with the number, the id, the city, or give their phone number or email."


def which_of_several(tool: str, candidates: tuple[Candidate, ...], args: dict[str, Any]) -> Ask:
    return Ask(tool, "customer", "You named more than one customer. Which one is this for?",
               {k: v for k, v in args.items() if k != "customer"}, candidates, PICK)


def who_question(who: Who, tool: str, args: dict[str, Any]) -> Ask:
    if who.problem == "ambiguous":
        return Ask(tool, "customer", f"Which {who.typed} do you mean?", args, who.candidates, PICK)
    if who.problem == "unknown":
        if who.candidates:
            return Ask(tool, "customer", f"I couldn't find a customer called \"{who.typed}\". The closest names:",
                       args, who.candidates, "Reply with the number if it is one of them, or give the full name, "
                                             "phone number or email.")
        text = (f"I couldn't find a customer called \"{who.typed}\". Check the spelling, or give their "
                "full name, phone number or email.")
        return Ask(tool, "customer", text, args)
    if who.problem == "guess":
        head = (f"No customer is called exactly \"{who.typed}\"." if who.guess == "fuzzy"
                else f"\"{who.typed}\" is only part of a name.")
        return Ask(tool, "customer", head + " Did you mean:", args, who.candidates,
                   "Reply yes or with the number, or give the full name, phone number or email.")
    return Ask(tool, "customer", "Which customer? Give a name, phone number or email.", args)


def iso(day: date, moment: time | None, tz) -> str:
    if moment is None:
        return day.isoformat()
    return datetime.combine(day, moment, tzinfo=tz).isoformat()


def clean_notes(slots: Slots, text: str) -> str:
    """The user's own words, minus a leading "log a call with X:" command when something follows it."""
    tokens = slots.tokens
    cut = 0
    if tokens and tokens[0].norm in {"log", "logged", "note", "notes", "record", "add"}:
        names = {k for m in slots.customers for k in range(m.start, m.end)}
        types = {k for m in slots.matches["type"] for k in range(m.start, m.end)}
        k = 0
        while k < len(tokens) and (tokens[k].norm in _LOG_PREFIX or k in names or k in types
                                   or tokens[k].norm in lx.PRONOUNS | lx.HONORIFICS):
            k += 1
        if k < len(tokens) and len(tokens) - k >= 1:
            cut = tokens[k].start
    body = re.sub(r"\s+", " ", text[cut:]).strip(" ,;:-")
    if not body:
        body = re.sub(r"\s+", " ", text).strip()
    return body[:1].upper() + body[1:]


# words that say a relative's gender ("baby girl", "his son", Banglish "chele" / "meye")
GENDER_WORDS = {
    **dict.fromkeys(["boy", "son", "sons", "chele", "husband", "hubby", "shami", "swami", "father", "dad", "abbu",
                     "abba", "baba", "brother", "grandfather", "grandpa", "dada", "nana", "father in law"], "male"),
    **dict.fromkeys(["girl", "daughter", "daughters", "meye", "wife", "bou", "stri", "istri", "mother", "mom", "mum",
                     "ammu", "amma", "sister", "bon", "grandmother", "grandma", "dadi", "nani", "mother in law"],
                    "female"),
}


def member_gender(slots: Slots, relation_start: int, relation_end: int) -> str | None:
    """The relative's gender from the relationship word or a "boy" / "girl" right after it, when it says one."""
    said = [slots.tokens[k].norm for k in range(relation_start, min(len(slots.tokens), relation_end + 2))]
    phrase = " ".join(slots.tokens[k].norm for k in range(relation_start, relation_end))
    found = {GENDER_WORDS[w] for w in said + [phrase] if w in GENDER_WORDS}
    return found.pop() if len(found) == 1 else None


def member_name(slots: Slots, relation_end: int, relation_start: int) -> tuple[str | None, set[int]]:
    """The family member's name: the words after the relationship ("his wife Sarah"), or before ("Sarah, his wife")."""
    tokens = slots.tokens
    skip = {"named", "name", "is", "called", ":", "-", "er", "nam", "naam", "holo"} | set(GENDER_WORDS)

    def run(k: int, step: int) -> list[int]:
        picked: list[int] = []
        while 0 <= k < len(tokens) and len(picked) < 3:
            tok = tokens[k]
            if tok.kind != "word" or (tok.norm in lexicon_words() and not tok.capitalised) or tok.norm in lx.PRONOUNS:
                break
            if tok.norm in lx.SOCIAL_HONORIFICS or tok.norm in lx.CONTACT_WORDS:
                break
            picked.append(k)
            k += step
        return sorted(picked)

    k = relation_end
    # dates, "named", a colon or a comma may sit between the relative and the name
    while k < len(tokens) and (tokens[k].norm in skip or k in slots.temporal.used
                               or (tokens[k].norm == "," and k == relation_end)):
        k += 1
    picked = run(k, 1)
    if not picked:
        k = relation_start - 1
        while k >= 0 and tokens[k].norm in {"his", "her", "their", "is", ",", "tar", "the"}:
            k -= 1
        # "Karim's daughter": the possessive word before the relative is the customer, not the member
        owner = k >= 0 and (tokens[k].possessive or tokens[k].norm in {"er", "r"} or k == relation_start - 1)
        picked = run(k, -1) if k >= 0 and tokens[k].kind == "word" and not owner else []
    if not picked:
        return None, set()
    words = [tokens[p].text for p in picked]
    return " ".join(w if w[:1].isupper() else w.title() for w in words), set(picked)


def more_members(slots: Slots, name_span: set[int]) -> list[tuple[str, set[int]]]:
    """Further names joined to the first one ("Aisha and Anika", "Aisha, Anika"): twins, several children."""
    tokens = slots.tokens
    found: list[tuple[str, set[int]]] = []
    k = max(name_span) + 1 if name_span else len(tokens)
    while k + 1 < len(tokens) and tokens[k].norm in {"and", ",", "o", "ar"}:
        tok = tokens[k + 1]
        if tok.kind != "word" or not tok.text[:1].isupper() or tok.norm in lexicon_words():
            break
        found.append((tok.text, {k + 1}))
        k += 2
    return found


def draft_topic(slots: Slots, who_span: set[int]) -> str | None:
    tokens, norms = slots.tokens, slots.norms
    stop_tables = ("tone", "language", "channel")
    stops = {k for t in stop_tables for m in slots.matches[t] for k in range(m.start, m.end)}
    for k, word in enumerate(norms):
        if word in _TOPIC_LEADS and k + 1 < len(tokens) and k + 1 not in who_span:
            end = k + 1
            while end < len(tokens) and end not in stops and norms[end] not in {"in", "with"} and not (
                    norms[end] == "," and any(s > end for s in stops)):
                end += 1
            words = [tokens[j].text for j in range(k + 1, end) if tokens[j].kind != "punct" or tokens[j].text == "'"]
            while words and words[0].lower() in _TOPIC_DROP:
                words.pop(0)
            if words:
                return " ".join(words).strip(" ,.")
    if ":" in norms:
        after = [t for t in slots.tokens[norms.index(":") + 1:] if t.kind != "punct"]
        if after:
            return " ".join(t.text for t in after).strip()
    return None


def products_said(slots: Slots) -> list[str]:
    seen: list[str] = []
    for name in slots.products:
        if name not in seen:
            seen.append(name)
    return seen


def catalogue_candidates(catalogue: Catalogue, ids: list[int]) -> tuple[Candidate, ...]:
    out = []
    for entry_id in ids:
        entry = catalogue.customer(entry_id)
        if entry:
            out.append(Candidate(entry.id, entry.name, entry.city))
    return tuple(out)


def make_call(tool: str, args: dict[str, Any]) -> ToolCall:
    # a day and month still waiting for its year ("--MM-DD", kept while the year is asked) is never sent
    return ToolCall(tool, {k: v for k, v in args.items() if v is not None and v != [] and v != ""
                           and not (isinstance(v, str) and v.startswith("--"))})


Built = ToolCall | list[ToolCall] | Ask | str  # what a builder returns


def asks_to_read(slots: Slots) -> bool:
    """The message opens with a read verb or question word: a request to see something, which never writes."""
    return bool(slots.norms) and slots.norms[0] in lx.QUESTION_LEADS


def with_customer(tool: str, who: Who, args: dict[str, Any]) -> Ask | None:
    """Put the customer into ``args``, or the question to ask when there is none to put.

    A write never goes to a guess: a name typed with a typo or only in part ("Mr. <surname>")
    is asked about first ("Did you mean ...?"); reads show the best match.
    """
    if who.problem:
        return who_question(who, tool, args)
    intent = registry.REGISTRY.get(tool)
    if who.guess and intent is not None and intent.write:
        return who_question(Who(problem="guess", guess=who.guess, typed=who.typed,
                                candidates=who.candidates[:5]), tool, args)
    args["customer"] = who.ref
    if who.note:
        args.setdefault("_note", who.note)
    return None
