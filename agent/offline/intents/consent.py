"""Recording an opt-out or opt-in (update_consent): which channel, which way, why, and at whose request.

- channel: a channel word (WhatsApp, SMS, email, Instagram, Facebook; Banglish and Bangla spell them
  the same through the shared tables); "all" when no channel is named but marketing as a whole or
  "any/all messages" is; calls have no consent setting, so a call is asked about, never guessed.
- opted_in: the weights of the opt-out phrases against the opt-in ones; an opt-in phrase after a
  negation ("not ok with", "no longer fine with") counts as an opt-out. Neither: asked.
- reason: the clause after a comma / colon / "because" / "karon", else the request itself;
  source: ``customer_request`` when the message says the customer asked, else ``agent``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.offline import lexicon as lx
from agent.offline.intents import view_360
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
from agent.offline.intents.records_text import (
    asks_about,
    asked_by_customer,
    name_positions,
    name_relation_only,
    reason_clause,
    tidy,
    vocabulary,
)
from agent.offline.registry import DRAFT, FAMILY, LOG, Intent, register
from agent.offline.slots import Slots
from agent.offline.text import PhraseTable
from agent.offline.types import ConversationContext, PendingClarification

TOOL = "update_consent"
CALL = "call"  # no consent channel: asked about

CUES = {
    "unsubscribe": 5, "unsubscribed": 5, "unsub": 5, "opt out": 5, "opted out": 5, "opt * out": 5, "opts out": 5,
    "opt in": 4, "opted in": 4, "opt * in": 4, "opt back in": 5, "opted back in": 5, "resubscribe": 5,
    "consent": 4, "dnd": 4, "do not disturb": 4, "stop sending": 3, "stop messaging": 3, "stop texting": 3,
    "stop emailing": 3, "stop calling": 3, "do not call": 3, "do not message": 3, "do not text": 3, "do not contact": 3, "do not send": 2.5,
    "pathaben na": 3, "pathabe na": 3, "pathaio na": 3, "pathiyo na": 3, "pathano bondho": 4, "marketing": 2,
    "no more": 1.5, "start sending": 2, "ok with": 1, "okay with": 1, "fine with": 1,
}
CHANNELS = PhraseTable({
    **lx.CHANNELS,
    **dict.fromkeys(["texts", "texting", "text messages", "smses", "sms gulo"], "sms"),
    **dict.fromkeys(["emails", "mails", "emailing", "newsletter", "newsletters", "mail e"], "email"),
    **dict.fromkeys(["whatsapp messages", "whatsapping"], "whatsapp"),
    **dict.fromkeys(["facebook messages", "fb page"], "facebook"),
    **dict.fromkeys(["dm", "dms", "instagram dm"], "instagram"),
    **dict.fromkeys(["call", "calls", "calling", "phone call", "phone calls", "phone"], CALL),
})
MARKETING = {"marketing", "promotional", "promotion", "promotions", "promo", "promos", "campaign", "campaigns",
             "offers", "newsletters", "ads", "advertising", "bulk"}
ALL_WORDS = {"all", "any", "every", "everything", "sob", "shob", "sokol", "kono", "everywhere", "anything"}
MESSAGE_WORDS = {"message", "messages", "msg", "msgs", "channel", "channels", "communication", "communications",
                 "contact", "sms", "texts", "marketing"}

_NOUNS = ("messages", "message", "msgs", "offers", "offer", "sms", "email", "emails", "whatsapp", "texts", "text",
          "marketing", "promotions", "instagram", "facebook", "fb", "newsletter", "newsletters")
# phrase -> weight: how surely it says "no more" (OUT) or "yes again" (IN)
OUT = PhraseTable({
    **dict.fromkeys(["stop", "stop sending", "stop messaging", "stop texting", "stop emailing", "unsubscribe",
                     "unsubscribed", "unsub", "opt out", "opted out", "opt * out", "opts out", "opting out",
                     "do not send", "do not message", "do not text", "do not email", "do not contact",
                     "do not whatsapp", "not to send", "not to message", "not to contact", "never send",
                     "never message", "not want any", "no more",
                     "no longer", "withdraw", "withdrew", "revoke", "revoked", "block", "blocked", "dnd",
                     "do not disturb", "bondho", "pathaben na", "pathabe na", "pathaio na", "pathiyo na",
                     "pathano bondho", "dite mana", "mana", "chay na", "chan na", "chai na",
                     "take * off", "remove * from"], 2.0),
    # "does not want (any more) <messages>": a negated wish for a channel or for marketing
    **{f"{lead} {noun}": 2.0 for noun in _NOUNS for lead in ("not want *", "no")},
    **dict.fromkeys(["anymore", "any more"], 1.0),
})
IN = PhraseTable({
    **dict.fromkeys(["opt in", "opted in", "opt * in", "opts in", "opt back in", "opted back in", "resubscribe",
                     "resubscribed", "subscribe", "subscribed", "ok with", "okay with", "fine with", "happy to get",
                     "allow", "allowed", "allows", "agreed to", "agrees to", "consented", "start sending",
                     "start messaging", "resume", "can send", "can message", "may send", "chalu", "chalu koro",
                     "raji", "pathate paren", "pathate pari", "pathano jabe", "dite paren", "wants * again"], 2.0),
    **dict.fromkeys(["again", "abar", "back on"], 1.0),
})
_NEGATORS = {"not", "no", "never", "longer", "na"}
OUT_ANSWERS = {"out", "no", "stop", "off", "na", "nope", "block", "bondho"}
IN_ANSWERS = {"in", "yes", "allow", "on", "ha", "haan", "ok", "okay", "chalu"}


CUES = vocabulary(CUES, OUT, IN, CHANNELS, words=MARKETING)


def polarity(slots: Slots) -> bool | None:
    """False for an opt-out, True for an opt-in, None when the message does not say which."""
    norms = slots.norms
    out = sum(m.value for m in OUT.find(norms))
    into = 0.0
    for m in IN.find(norms):
        if _NEGATORS & set(norms[max(0, m.start - 2): m.start]):
            out += m.value  # "not ok with", "no longer fine with"
        else:
            into += m.value
    if out == into:
        return None
    return into > out


def channels(slots: Slots) -> list[str]:
    """The channels named (in order, once each); ["all"] for marketing as a whole; [] when unsaid."""
    named: list[str] = []
    for m in CHANNELS.find(slots.norms, blocked=name_positions(slots)):
        if m.value not in named:
            named.append(m.value)
    if named:
        return named
    words = set(slots.norms)
    if words & MARKETING or (words & ALL_WORDS and words & MESSAGE_WORDS):
        return ["all"]
    return []


def evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    said = channels(slots)
    way = polarity(slots)
    if way is not None and said:
        scores[TOOL] += 3 if said != [CALL] else 1  # "phone bondho" is how a call went, not a wish
    elif way is False and asked_by_customer(slots) and not slots.products \
            and sum(m.value for m in OUT.find(slots.norms)) >= 2:
        scores[TOOL] += 2.5  # "<customer> wants us to stop": an opt-out whose channel is asked
    if way is False and said and said != [CALL] and scores[TOOL] >= 4:
        # "no more offers on WhatsApp" records a wish, not a contact or a draft
        for other in (LOG, DRAFT, lx.CANCEL):
            scores[other] = min(scores.get(other, 0.0), scores[TOOL] - 1)
    if scores[TOOL] >= 3 and name_relation_only(slots):
        scores[FAMILY] = min(scores[FAMILY], scores[TOOL] - 1)


def build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    if (asks_to_read(slots) and not slots.command) or asks_about(slots):  # "show Rahim's consent": a read
        return view_360.build(slots, ctx, now, text)
    args: dict[str, Any] = {}
    who = find_customer(slots, ctx)
    ask = with_customer(TOOL, who, args)
    said = channels(slots)
    way = polarity(slots)
    if len(said) == 1 and said != [CALL]:
        args["channel"] = said[0]
    args["opted_in"] = way
    args["reason"] = reason_clause(slots, text) or tidy(text)[:500]
    if asked_by_customer(slots):
        args["source"] = "customer_request"
    if ask:
        return ask
    several = several_customers(slots)
    if several:
        return which_of_several(TOOL, several, args)
    name = who.name or "the customer"
    messaging = [c for c in said if c != CALL]
    if not messaging:
        lead = "Calls have no consent setting here. " if said == [CALL] else ""
        return Ask(TOOL, "channel", f"{lead}Which channel is this for {name}: WhatsApp, SMS, email, Instagram, "
                                    "Facebook, or all of them?", args)
    if way is None:
        channel = " and ".join("any channel" if c == "all" else c for c in messaging)
        return Ask(TOOL, "opted_in", f"Should {name} get messages on {channel} again (opt in) or not (opt out)?",
                   {**args, "channel": args.get("channel") or messaging[0]})
    if len(messaging) > 1:  # one consent change per channel named; each goes through approval
        return [make_call(TOOL, {**args, "channel": c}) for c in messaging]
    return make_call(TOOL, {**args, "channel": messaging[0]})


def answer(pending: PendingClarification, slots: Slots, text: str, scores: dict[str, float]) -> dict | None:
    """The channel ("all of them") or the direction ("out", "no more", "opt in") asked for."""
    if pending.missing == "channel":
        said = [c for c in channels(slots) if c != CALL]
        if not said and ALL_WORDS & set(slots.norms):
            said = ["all"]
        return {"channel": said[0]} if said else None
    if pending.missing == "opted_in":
        way = polarity(slots)
        words = set(slots.norms)
        if way is None and words & OUT_ANSWERS and not words & IN_ANSWERS:
            way = False
        elif way is None and words & IN_ANSWERS and not words & OUT_ANSWERS:
            way = True
        return {"opted_in": way} if way is not None else None
    return None


register(Intent(TOOL, CUES, build, evidence, write=True, rank=7, about_customer=0.5,
                required=("customer", "channel", "opted_in"), carry=("channel", "opted_in", "reason"),
                answer=answer))
