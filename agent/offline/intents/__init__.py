"""The intents the offline model understands: one module per family of requests.

Each module registers one or more ``agent.offline.registry.Intent`` objects at import time:
its cue phrases, the evidence it reads from the slots, and its builder (slots -> tool call,
clarifying question, or reply). Importing this package imports every module in ``FAMILIES``.

How to add understanding for a new tool (the extension point)
-------------------------------------------------------------
1. Write ``agent/offline/intents/<family>.py``::

       from agent.offline.intents.common import Built, find_customer, make_call, with_customer
       from agent.offline.registry import Intent, register

       TOOL = "update_consent"
       CUES = {"opt out": 4, "unsubscribe": 4, ...}          # phrase -> weight, English + Banglish

       def evidence(slots, scores, today_iso):               # optional: weight from slots
           if slots.has("channel") and ...: scores[TOOL] += 1

       def build(slots, ctx, now, text) -> Built:           # never guess a write: ask instead
           args = {}
           ask = with_customer(TOOL, find_customer(slots, ctx), args)
           if ask:
               return ask
           ...
           return make_call(TOOL, args)

       register(Intent(TOOL, CUES, build, evidence, write=True, rank=5, about_customer=0.5,
                       required=("customer", "channel", "opted_in"), carry=("channel",)))

2. Add ``"<family>"`` to ``FAMILIES`` below. Nothing else changes: the scorer, the follow-up
   logic ("and for Fatema?", corrections after a declined proposal use ``carry``) and the
   confirmation gate (``write=True``) read the registry.
3. Add a table-driven test: messages -> expected tool and arguments (tests/agent/offline/).

Shared slot extractors (``agent.offline.slots``; ``Slots`` fields and helpers):
- customers: ``slots.customers`` (mentions by name / phone / email / id, resolved against the
  catalogue), ``find_customer`` and ``who_question`` in ``intents.common``;
- dates and times: ``slots.temporal`` (``slots.dates``), durations ``slots.temporal.duration_seconds``
  (``slots.durations``), numbers and number words (``slots.numbers``);
- closed vocabularies: ``slots.first("channel")``, ``"type"``, ``"outcome"``, ``"tone"``,
  ``"language"``, ``"segment"``, ``"temperature"``, ``"lifecycle"``, ``"mine"``, ``"city"``
  (tables in ``agent.offline.lexicon``); products: ``slots.products``;
- Bangla script: ``agent.offline.bangla`` maps Bangla words and digits onto the same
  tokens the Banglish and English tables use, so a new table entry in Banglish or English also
  serves Bangla typed in Bangla script when the word is in the Bangla table.
"""
from __future__ import annotations

import importlib

# tie-break order is each Intent's ``rank``; this list only says which modules exist
FAMILIES = ("small_talk", "dropoff", "rfm", "draft", "family", "log_interaction", "follow_up", "events",
            "manager", "call_list", "consent", "notes", "tags", "deals",
            "find", "view_360")

for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")
