"""The offline model: normalise -> tokenize -> fix keyword typos -> extract slots -> score intents -> build."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.offline import intents  # noqa: F401  (registers every intent)
from agent.offline import lexicon as lx
from agent.offline import registry
from agent.offline.catalogue import Catalogue, Entry, name_words
from agent.offline.followups import asks_same_again, carry_declined, refine, same_again
from agent.offline.intents.common import Ask
from agent.offline.intents.manager import why_on_the_list
from agent.offline.intents.small_talk import CAPABILITIES, OUT_OF_SCOPE
from agent.offline.pending import answer_pending
from agent.offline.scoring import choose, score_intents
from agent.offline.slots import Slots, extract, lexicon_words
from agent.offline.slots.dates import VOCABULARY as DATE_WORDS
from agent.offline.render import as_dict, error_of, render_results
from agent.offline.text import KeywordCorrector, blank_quoted, normalise, tokenize
from agent.offline.types import (
    ConversationContext,
    CustomerRef,
    Decision,
    PendingClarification,
    Reply,
    ToolCall,
    ToolCalls,
    coerce_result,
    last_user_text,
)



class OfflineModel:
    """Deterministic sales-desk language understanding. See ``agent.offline`` for the interface."""

    name = "offline"

    def __init__(self, catalogue: Catalogue | None = None, tz: ZoneInfo | str = "Asia/Dhaka", region: str = "BD"):
        self.catalogue = catalogue or Catalogue()
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.region = region
        self.correctable = lexicon_words() | DATE_WORDS
        self.corrector = KeywordCorrector(self.correctable)

    # -- understanding -------------------------------------------------------------------------
    def read(self, text: str, now: datetime) -> Slots:
        """Tokens and slots of one message (exposed for tests and debugging)."""
        now = self._local(now)
        clean = normalise(text)
        tokens = tokenize(blank_quoted(clean), self.region)  # quoted customer text is data, not the request
        index = self.catalogue.customers
        for token in tokens:
            if token.kind == "word" and token.norm in lx.CHAT_SPELLINGS and not index.is_word(token.norm):
                token.norm = lx.CHAT_SPELLINGS[token.norm]
            elif token.kind == "word" and token.norm not in self.correctable and token.norm not in lx.PLAIN_WORDS \
                    and not index.is_word(token.norm) \
                    and not self.catalogue.products.is_word(token.norm):
                fixed = self.corrector.correct(token.norm)
                if fixed and not index.word_matches(token.norm):
                    token.norm = fixed
        return extract(tokens, clean, self.catalogue, now)

    def decide(self, messages: Iterable[Any], context: ConversationContext | None, now: datetime,
               details: Callable[[list[int]], dict[int, str]] | None = None) -> Decision:
        """Tool calls for the newest user message, or a reply (answer, clarifying question, out of scope).

        ``details``: customer ids -> what tells namesakes apart for this user (phone as their role may
        see it, last contact); a clarifying question between customers shows it on each choice.
        """
        ctx = context or ConversationContext()
        now = self._local(now)
        text = last_user_text(messages).strip()
        if not text:
            return Reply(CAPABILITIES, ctx.evolve(pending=None), "answer")
        slots = self.read(text, now)
        scores = score_intents(slots, now.date().isoformat())
        if ctx.pending is not None:
            answered = answer_pending(ctx.pending, slots, text, scores, self.catalogue, ctx)
            if answered is not None:
                return self._finish(answered, ctx, now, details)
        why = why_on_the_list(slots, ctx, now, text)
        if why is not None:
            return self._finish(why, ctx.evolve(pending=None), now, details)
        refined = refine(slots, ctx, scores, now, text)
        if refined is not None:
            return self._finish(refined, ctx.evolve(pending=None), now, details)
        if asks_same_again(slots):
            again = same_again(slots, ctx)
            if again is not None:
                return self._finish(again, ctx.evolve(pending=None), now, details)
        intent = choose(scores, bool(slots.customers))
        built = self._build(intent, slots, ctx, now, text)
        if isinstance(built, ToolCall):
            built = carry_declined(built, ctx, slots)
        return self._finish(built, ctx.evolve(pending=None), now, details)

    def _build(self, intent: str, slots: Slots, ctx: ConversationContext, now: datetime, text: str):
        if intent == lx.OOS and slots.norms and set(slots.norms) <= lx.YES | {".", "!"}:
            return "OK. What would you like to do next?"
        handler = registry.REGISTRY.get(intent)
        if handler is not None and handler.build is not None:
            return handler.build(slots, ctx, now, normalise(text))
        return OUT_OF_SCOPE + CAPABILITIES

    def _finish(self, built, ctx: ConversationContext, now: datetime,
                details: Callable[[list[int]], dict[int, str]] | None = None) -> Decision:
        if isinstance(built, Ask):
            arguments = {k: v for k, v in built.arguments.items() if v not in (None, [], "") and k[:1] != "_"}
            built = replace(built, candidates=self.catalogue.describe(built.candidates, details))
            question = built.text()
            pending = PendingClarification(built.tool, arguments, built.missing, question, built.candidates)
            return Reply(question, ctx.evolve(pending=pending), "clarify")
        if isinstance(built, str):
            kind = "out_of_scope" if built.startswith(OUT_OF_SCOPE) else "answer"
            return Reply(built, ctx.evolve(pending=None), kind)
        if isinstance(built, list) and built and all(isinstance(call, ToolCall) for call in built):
            decided = [self._finish(call, ctx, now, details) for call in built]  # several records of one request
            if all(isinstance(d, ToolCalls) for d in decided):
                named = {c.arguments.get("customer") for c in built}
                several = tuple(CustomerRef(e.id, e.name) for e in map(self.catalogue.customer, named)
                                if isinstance(e, Entry)) if len(named) > 1 else ()
                return ToolCalls([d.calls[0] for d in decided], decided[0].context.evolve(several=several))
            return next(d for d in decided if not isinstance(d, ToolCalls))
        if isinstance(built, ToolCall):
            notice = built.arguments.get("_note")
            built = ToolCall(built.name, {k: v for k, v in built.arguments.items() if k[:1] != "_"})
            ctx = ctx.evolve(notice=notice)
            missing = _missing(built)
            if missing:
                return Reply(f"I still need the {missing} for {built.name}.", ctx.evolve(pending=None), "clarify")
            customer = built.arguments.get("customer")
            last = ctx.last_customer
            if isinstance(customer, int):
                entry = self.catalogue.customer(customer)
                if entry:
                    last = CustomerRef(entry.id, entry.name)
            return ToolCalls([built], ctx.evolve(pending=None, last_customer=last, last_tool=built.name,
                                                 last_call=built, unsent=built.name in registry.writes(),
                                                 several=()).remembering(last))
        return built  # already a Decision (a re-asked question, a cancellation)

    # -- answering ----------------------------------------------------------------------------------
    def respond(self, messages: Iterable[Any], tool_results: Iterable[Any], context: ConversationContext | None,
                now: datetime) -> Reply | ToolCalls:
        """The final reply from what the tools returned (their ``text`` when they have one).

        One exception: an ambiguous drop-off the user's own message already settles (by its product)
        is retried as a call with that ``dropoff_id`` (it still goes through the confirmation gate).
        """
        ctx = (context or ConversationContext()).evolve(unsent=False)  # the proposed call ran (or failed)
        results = [coerce_result(item) for item in tool_results]
        retry = self._pick_from_own_words(messages, results, ctx, now)
        if retry is not None:
            return retry
        return render_results(results, ctx, self.catalogue)

    def _pick_from_own_words(self, messages: Iterable[Any], results: list, ctx: ConversationContext,
                             now: datetime) -> ToolCalls | None:
        """Retry a drop-off call that came back ambiguous when the user's message already names the product.

        "Rahim bought the kettle he had left in his cart": the tool lists Rahim's open carts; the one
        whose product the message names (and only it) is the one meant. Any other ambiguity is asked.
        """
        last = results[-1] if results else None
        if last is None or last.name != lx.DROPOFF or "dropoff_id" in last.arguments:
            return None
        err = error_of(as_dict(last.result))
        if not err or err["code"] != "ambiguous" or not err["candidates"]:
            return None
        slots = self.read(last_user_text(messages), now)
        said = {w for name in slots.products for w in name_words(name)} | set(slots.loose_words)
        said -= lx.CART_WORDS
        hits = [c for c in map(as_dict, err["candidates"]) if isinstance(c, dict) and "id" in c
                and said & (set(name_words(str(c.get("product") or c.get("name") or ""))) - lx.CART_WORDS)]
        if len(hits) != 1:
            return None
        call = ToolCall(lx.DROPOFF, {**last.arguments, "dropoff_id": int(hits[0]["id"])})
        return ToolCalls([call], ctx.evolve(pending=None, last_tool=lx.DROPOFF))

    def is_write(self, tool: str) -> bool:
        return tool in registry.writes()

    def _local(self, now: datetime) -> datetime:
        return now.replace(tzinfo=self.tz) if now.tzinfo is None else now.astimezone(self.tz)


def _missing(call: ToolCall) -> str | None:
    for need in registry.required(call.name):
        if not any(call.arguments.get(option) not in (None, "") for option in need.split("|")):
            return need.replace("|", " or ")
    return None
