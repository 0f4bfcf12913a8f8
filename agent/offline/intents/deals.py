"""Changing a customer's deal (update_opportunity): which deal, its stage, value, probability, won or lost.

- stage: the domain's stage names (``domain.opportunities.STAGES`` and ``STAGE_ALIASES``) spelled as
  words, plus what desks say for them ("quote sent" = proposal, "dor dam" = negotiation); a word
  after "move ... to" or "stage" that is no stage is asked about, naming the stages.
- status: won / lost phrases (English, Banglish "jitechi", "harechi"; Bangla through the shared
  table), "reopen" = open.
- value: an amount of money (``slots.money``: "50k", "3 lakh", "tk 2,50,000") or a number after
  "value" / "worth"; probability: a percentage, or a number after "probability" / "chance".
- the deal: "deal #12" (its id), a quoted name, or the words before "deal" that are not the
  customer ("the <name> deal of <customer>"); none: the tool takes the customer's only open deal
  and answers ambiguous when there are several.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.opportunities import OPEN_STAGES, STAGE_ALIASES, STAGES

from agent.offline import lexicon as lx
from agent.offline.intents import view_360
from agent.offline.intents.common import (
    PICK,
    Ask,
    Built,
    asks_to_read,
    find_customer,
    make_call,
    several_customers,
    which_of_several,
    with_customer,
)
from agent.offline.intents.records_text import asks_about, vocabulary, who_positions
from agent.offline.registry import DROPOFF, LOG, RFM, V360, Intent, register
from agent.offline.slots import Slots
from agent.offline.slots.money import amounts
from agent.offline.text import PhraseTable
from agent.offline.types import Candidate, ConversationContext, PendingClarification

TOOL = "update_opportunity"

CUES = {
    "deal": 3, "deals": 2, "opportunity": 3, "opportunities": 2, "oppty": 3, "opp": 2, "pipeline": 2,
    "probability": 2, "closed won": 4, "closed lost": 4, "jitechi": 2.5, "jitsi": 2.5, "harechi": 2.5,
    "haralam": 2.5, "stage": 1.5,
}
DEAL_WORDS = {"deal", "deals", "opportunity", "opportunities", "oppty", "opp"}
_STAGE_WORDS = {stage.replace("_", " "): stage for stage in STAGES}
STAGE = PhraseTable({
    **{words: stage for words, stage in _STAGE_WORDS.items() if stage in OPEN_STAGES},
    **{alias.replace("_", " "): stage for alias, stage in STAGE_ALIASES.items() if stage in OPEN_STAGES},
    **dict.fromkeys(["need analysis", "needs assessment", "discovery"], "needs_analysis"),
    **dict.fromkeys(["quote", "quote sent", "quotation", "quotation sent", "proposal stage", "offer sent"],
                    "proposal"),
    **dict.fromkeys(["negotiate", "bargaining", "dor dam", "dam dor", "dorador", "negotiation stage"],
                    "negotiation"),
})
STATUS = PhraseTable({
    **dict.fromkeys(["won", "win", "closed won", "we won", "jitechi", "jitsi", "jitlam", "jite gechi", "signed",
                     "closed the deal", "deal done", "deal final", "clinched", "bagged"], "won"),
    **dict.fromkeys(["lost", "lose", "closed lost", "we lost", "harechi", "haralam", "hat chara", "hate gelo",
                     "fell through", "dead", "cancelled", "canceled", "no deal"], "lost"),
    **dict.fromkeys(["reopen", "reopened", "open again", "back to open"], "open"),
})
CUES = vocabulary(CUES, STAGE, STATUS)
PROBABILITY_WORDS = {"probability", "chance", "chances", "likelihood", "sombhabona", "confidence", "odds"}
VALUE_WORDS = {"value", "worth", "amount", "size", "budget", "dam", "mullo", "price", "total"}
MOVE_WORDS = {"move", "moved", "shift", "change", "set", "put", "push", "advance", "niye", "nie", "update", "stage"}
# words that end the deal's name when read backwards from "deal"
NAME_STOPS = {"the", "a", "an", "this", "that", "his", "her", "their", "our", "my", "move", "mark", "set", "update",
              "change", "shift", "er", "r", "ta", "of", "for", "with", "to", "from", "and", "is", "was", "we", "won",
              "lost", "close", "closed", "put", "push", "open", "reopen", "in", "on", "at", ",", ":", "make"}


def _cue_positions(slots: Slots) -> list[int]:
    return [k for k, n in enumerate(slots.norms) if n in DEAL_WORDS]


def values(slots: Slots, text: str) -> dict[str, Any]:
    """stage, status, value and probability said in the message (only those said)."""
    norms = slots.norms
    found: dict[str, Any] = {}
    stages = STAGE.find(norms)
    if stages:
        found["stage"] = stages[-1].value
    statuses = STATUS.find(norms)
    if statuses:
        found["status"] = statuses[-1].value
    blocked = set(slots.temporal.used) | {k for m in slots.customers for k in range(m.start, m.end)}
    for amount in amounts(slots.tokens, text, blocked):
        before = set(norms[max(0, amount.start - 4): amount.start])
        if amount.percent or before & PROBABILITY_WORDS:
            found.setdefault("probability", amount.number)
        elif amount.money or before & VALUE_WORDS:
            found.setdefault("value", amount.number)
    return found


def unknown_stage(slots: Slots, said: dict[str, Any]) -> str | None:
    """The word put where a stage belongs ("move the deal to <word>", "stage <word>") when it is no stage."""
    if "stage" in said or "status" in said:
        return None
    norms, tokens = slots.norms, slots.tokens
    named = {k for m in slots.customers if m.via != "unknown" for k in range(m.start, m.end)}
    for k, word in enumerate(norms):
        if word not in {"to", "stage", "e"} or not (MOVE_WORDS & set(norms[:k + 1])):
            continue
        j = k + 1
        while j < len(tokens) and norms[j] in {"the", "a", "stage", ":"}:
            j += 1
        if j < len(tokens) and tokens[j].kind == "word" and j not in named and norms[j] not in lx.STOPWORDS \
                and norms[j] not in VALUE_WORDS | PROBABILITY_WORDS:
            return tokens[j].text
    return None


def deal_reference(slots: Slots, skip: set[int], text: str) -> tuple[int | str | None, set[int]]:
    """(the deal's id or name, the positions it used)."""
    norms, tokens = slots.norms, slots.tokens
    quantities = {a.start for a in amounts(tokens, text) if a.money or a.percent}  # "deal 5 lakh" is a value
    for k in _cue_positions(slots):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if nxt is not None and nxt.kind in {"id", "num"} and isinstance(nxt.value, int) and k + 1 not in quantities:
            return nxt.value, {k + 1}
    if slots.quoted:
        return slots.quoted, set()
    for k in _cue_positions(slots):
        for lead in ("called", "named"):
            if norms[k + 1: k + 2] == [lead]:
                words = [t.text for t in tokens[k + 2:k + 6] if t.kind == "word" and t.norm not in NAME_STOPS]
                if words:
                    return " ".join(words), set(range(k + 2, k + 2 + len(words)))
        j, picked = k - 1, []
        stage_like = {p for m in STAGE.find(norms) for p in range(m.start, m.end)}
        while j >= 0 and tokens[j].kind in {"word", "num"} and j not in skip and norms[j] not in NAME_STOPS \
                and norms[j] not in lx.PRONOUNS and j not in stage_like and len(picked) < 5:
            picked.insert(0, j)
            j -= 1
        if picked:
            return " ".join(tokens[p].text for p in picked), set(picked)
    return None, set()


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    norms = set(slots.norms)
    said = STAGE.find(slots.norms) or STATUS.find(slots.norms)
    if norms & DEAL_WORDS and (said or norms & (PROBABILITY_WORDS | VALUE_WORDS | MOVE_WORDS)):
        scores[TOOL] += 2
    elif STAGE.find(slots.norms) and norms & MOVE_WORDS:
        scores[TOOL] += 3 if slots.customers or slots.pronoun else 2.5  # "move <customer> / it to negotiation"
    if scores[TOOL] >= 4:
        for other in (RFM, LOG, V360, DROPOFF):  # "mark the deal lost" is no segment, no contact
            scores[other] = min(scores.get(other, 0.0), scores[TOOL] - 1)


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if (asks_to_read(slots) and not slots.command) or asks_about(slots):  # "show Karim's deals": a read
        return view_360.build(slots, ctx, now, text)
    cues = set(_cue_positions(slots))
    by_id = {m.start for m in slots.customers if m.via == "id" and m.start - 1 in cues}  # "deal #12" is no customer
    args: dict[str, Any] = {}
    by_deal = _whose_deal(slots, ctx, text, by_id)
    if by_deal is not None:
        return by_deal
    who = find_customer(slots, ctx, skip=by_id)
    ask = with_customer(TOOL, who, args)
    said = values(slots, text)
    reference, _ = deal_reference(slots, who_positions(who, slots), text)
    args["opportunity"] = reference
    args.update(said)
    if ask:
        return ask
    several = several_customers(slots, skip=by_id)
    if several:
        return which_of_several(TOOL, several, args)
    name = who.name or "the customer"
    wrong = unknown_stage(slots, said)
    if wrong:
        return Ask(TOOL, "stage", f"\"{wrong}\" is not a deal stage. The stages are: "
                                  f"{', '.join(s.replace('_', ' ') for s in OPEN_STAGES)}; or say won or lost.", args)
    if not said:
        return Ask(TOOL, "stage", f"What should change on the deal of {name}: the stage "
                                  f"({', '.join(s.replace('_', ' ') for s in OPEN_STAGES)}), the value, "
                                  "the probability, or won / lost?", args)
    return make_call(TOOL, args)


def _whose_deal(slots: Slots, ctx: ConversationContext, text: str, by_id: set[int]) -> Built | None:
    """A deal named without its customer ("move the <deal name> deal to ..."): the customer whose deal
    has that name. Several customers with a deal of that name: the one discussed in the last turns,
    else the user is asked which. None when a customer is named, or no deal has that name."""
    if slots.deals is None or not len(slots.deals):
        return None
    reference, used = deal_reference(slots, by_id, text)
    if not isinstance(reference, str):
        return None
    named_elsewhere = [m for m in slots.customers if m.start not in by_id and m.via != "unknown"
                       and not set(range(m.start, m.end)) <= used]
    if named_elsewhere:
        return None
    deals = slots.deals.named(reference)
    if not deals:
        return None
    args: dict[str, Any] = {"opportunity": deals[0].name, **values(slots, text)}
    owners = {d.customer.id: d.customer for d in deals}
    discussed = ctx.last_customer.id if ctx.last_customer and ctx.last_customer.id in owners else None
    if len(owners) > 1 and discussed is None:
        options = tuple(Candidate(c.id, c.name, c.city) for c in owners.values())
        return Ask(TOOL, "customer", f"More than one customer has a deal called \"{deals[0].name}\". Whose is it?",
                   args, options, PICK)
    owner = owners[discussed] if discussed is not None else next(iter(owners.values()))
    args["customer"] = owner.id
    wrong = unknown_stage(slots, {k: v for k, v in args.items() if k in {"stage", "status"}})
    if wrong:
        return Ask(TOOL, "stage", f"\"{wrong}\" is not a deal stage. The stages are: "
                                  f"{', '.join(s.replace('_', ' ') for s in OPEN_STAGES)}; or say won or lost.", args)
    if not set(args) & {"stage", "status", "value", "probability"}:
        return Ask(TOOL, "stage", f"What should change on the {deals[0].name} deal of {owner.name}: the stage "
                                  f"({', '.join(s.replace('_', ' ') for s in OPEN_STAGES)}), the value, "
                                  "the probability, or won / lost?", args)
    return make_call(TOOL, args)


def answer(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float]) -> dict | None:
    """The stage, status, value or probability asked for."""
    if pending.missing != "stage":
        return None
    said = values(slots, text)
    if not said:
        numbers = amounts(slots.tokens, text)
        if len(numbers) == 1 and not numbers[0].percent:
            said = {"value": numbers[0].number}
    return said or None


register(Intent(TOOL, CUES, build, evidence, write=True, rank=7, about_customer=0.5,
                required=("customer",), carry=("opportunity",), answer=answer))
