"""Greetings, thanks, cancelling, help, and what is out of scope (no tool, a reply text)."""
from __future__ import annotations

from datetime import datetime

from agent.offline.registry import CANCEL, HELP, OOS, THANKS, Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext

CAPABILITIES = (
    "I'm c360, your customer desk assistant. I can: show who to call today (call list), show a customer's "
    "360 view, log a call / WhatsApp / visit, add a family member (birthdays), show RFM segments, draft a "
    "reply (WhatsApp, SMS, email), mark an abandoned cart recovered, list upcoming birthdays, record an "
    "opt-out or opt-in, add a note or a tag, move or close a follow-up, and update a deal. "
    "Try \"who should I call today?\" or \"Rahim did not pick up, log it\"."
)
OUT_OF_SCOPE = "That's outside what I can do. "

HELP_CUES = {
    "help": 3, "what can you do": 5, "hi": 2, "hello": 2, "hey": 2, "salam": 2, "assalamualaikum": 2,
    "good morning": 2, "how do i": 2, "who are you": 4, "commands": 3,
}

OUT_OF_SCOPE_CUES = {
    "weather": 6, "poem": 6, "joke": 6, "song": 6, "recipe": 6, "cricket": 6, "football": 6, "movie": 6,
    "news": 5, "president": 6, "prime minister": 6, "bitcoin": 6, "stock market": 6, "capital of": 6,
    "essay": 6, "story": 5, "lyrics": 6, "horoscope": 6, "homework": 6, "math": 5, "code": 4, "python": 6,
    "translate": 4, "rain": 4, "bristi": 4, "delete": 6, "erase": 5, "wipe": 6, "drop table": 6,
    "truncate": 6, "muche felo": 6, "delete koro": 6,
}

THANKS_CUES = {
    "thanks": 4, "thank you": 5, "thx": 4, "dhonnobad": 5, "great thanks": 5, "ok thanks": 5,
}

CANCEL_CUES = {
    "cancel": 5, "never mind": 5, "nevermind": 5, "forget it": 5, "thak": 4, "baad dao": 5, "stop": 3,
    "leave it": 4, "abort": 5,
}
# out-of-scope words that are also sales talk about a named customer: they do not count then
OOS_SOFT = {"story", "news", "code", "translate", "rain"}


def _oos_evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    if any(m.via != "unknown" for m in slots.customers):
        for match in slots.matches["cue"]:
            if match.phrase in OOS_SOFT:
                scores[OOS] -= sum(w for intent, w in match.value if intent == OOS)


def _reply(text: str):
    def build(slots: Slots, ctx: ConversationContext, now: datetime, message: str) -> str:
        return text
    return build


register(Intent(OOS, OUT_OF_SCOPE_CUES, _reply(OUT_OF_SCOPE + CAPABILITIES), _oos_evidence, rank=0))
register(Intent(CANCEL, CANCEL_CUES, _reply("OK, cancelled. Nothing was written."), rank=1, small_talk=True))
register(Intent(HELP, HELP_CUES, _reply(CAPABILITIES), rank=11, small_talk=True))
register(Intent(THANKS, THANKS_CUES, _reply("You're welcome."), rank=12, small_talk=True))
