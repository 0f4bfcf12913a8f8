"""The intent registry: what each family of requests contributes to understanding.

An ``Intent`` bundles everything the pipeline needs to know about one kind of request: the cue
phrases that suggest it, the slot evidence that makes it likelier, the builder that turns slots
into a tool call (or a question), and, for writes, the arguments that must be there. Intent
modules in ``agent.offline.intents`` call ``register``; the scorer and the model only ever read
the registry, so a new intent never touches them. See ``agent.offline.intents`` for how to add one.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.offline.text import PhraseTable

# tool names of the contract (and the read helpers) and the pseudo-intents
LIST, V360, LOG, FAMILY, RFM, DRAFT, DROPOFF = (
    "call_priority_list", "get_360", "log_interaction", "add_family_member", "rfm_segment",
    "draft_reply", "mark_dropoff_recovered",
)
FIND, EVENTS, HELP, OOS, THANKS, CANCEL = (
    "find_customers", "upcoming_events", "help", "out_of_scope", "thanks", "cancel",
)


@dataclass(frozen=True)
class Intent:
    """One kind of request.

    - ``name``: the tool it calls (or a pseudo-intent such as "help").
    - ``cues``: phrase -> weight; a phrase is lower-case words as the tokenizer yields them,
      ``*`` stands for up to three arbitrary words. Several intents may share a phrase.
    - ``evidence(slots, scores, today_iso)``: adds to ``scores`` from extracted slots (optional).
    - ``build(slots, ctx, now, text)``: a ToolCall, a list of them, an Ask, or a reply text.
    - ``write``: the call changes data (it then needs approval, and a question never triggers it).
    - ``required``: argument names that must be set ("a|b" = at least one of the two).
    - ``rank``: tie-break, lower wins on equal scores (writes need stronger evidence than reads).
    - ``about_customer``: bonus when the message names a customer or uses a pronoun.
    - ``small_talk``: cues count fully only in short messages.
    - ``carry``: arguments a follow-up or a correction may inherit from the previous call.
    - ``says``: argument -> does a message say it again (for a correction: "make it <value>"), where the
      intent's own meaning differs from the shared one in ``agent.offline.followups.EXPRESSED``.
    - ``answer(pending, slots, text, scores)``: reads the answer to this intent's own clarifying
      question (arguments to merge into the waiting call, or None when the message is no answer);
      the shared answers (customer, type, channel, ...) are read by ``agent.offline.pending`` first.
    """

    name: str
    cues: Mapping[str, float] = field(default_factory=dict)
    build: Callable[..., Any] | None = None
    evidence: Callable[..., None] | None = None
    write: bool = False
    required: tuple[str, ...] = ()
    rank: int = 50
    about_customer: float = 0.0
    small_talk: bool = False
    carry: tuple[str, ...] = ()
    answer: Callable[..., dict[str, Any] | None] | None = None
    says: Mapping[str, Callable[..., bool]] = field(default_factory=dict)


REGISTRY: dict[str, Intent] = {}
_cache: dict[str, Any] = {}


def register(intent: Intent) -> Intent:
    """Add (or replace) an intent; the cue table is rebuilt on next use."""
    REGISTRY[intent.name] = intent
    _cache.clear()
    return intent


def ordered() -> list[Intent]:
    """Every intent, tie-break order first."""
    if "ordered" not in _cache:
        _cache["ordered"] = sorted(REGISTRY.values(), key=lambda i: (i.rank, i.name))
    return _cache["ordered"]


def cue_table() -> PhraseTable:
    """All intents' cue phrases in one table: phrase -> [(intent, weight), ...]."""
    if "cues" not in _cache:
        merged: dict[str, list[tuple[str, float]]] = {}
        for intent in ordered():
            for phrase, weight in intent.cues.items():
                merged.setdefault(phrase, []).append((intent.name, float(weight)))
        _cache["cues"] = PhraseTable(merged)
    return _cache["cues"]


def cue_words() -> frozenset[str]:
    if "words" not in _cache:
        _cache["words"] = frozenset(cue_table().words())
    return _cache["words"]


def writes() -> frozenset[str]:
    return frozenset(i.name for i in REGISTRY.values() if i.write)


def required(tool: str) -> tuple[str, ...]:
    intent = REGISTRY.get(tool)
    return intent.required if intent else ()
