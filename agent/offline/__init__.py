"""The ``offline`` model: deterministic sales-desk language understanding, no LLM, no network, no model files.

Interface (what the LangGraph graph calls)::

    model = OfflineModel(Catalogue(customers=[(id, name, city), ...], products=[...], users=[...]))
    decision = model.decide(messages, context, now)
    if isinstance(decision, ToolCalls):          # run decision.calls (ToolCall(name, arguments))
        ...                                      # writes go through the confirmation gate first
        reply = model.respond(messages, [ToolResult(call.name, call.arguments, result), ...],
                              decision.context, now)
    else:                                        # Reply: an answer, a clarifying question, out of scope
        reply = decision
    context = reply.context                      # always store the returned context for the next turn

- ``messages``: the conversation; ``Message(role, content)``, {"role", "content"} dicts or
  LangChain messages. Only the newest user message is read; the past lives in ``context``.
- ``context``: ``ConversationContext`` (last customer discussed, drop-offs seen, last tool, a
  pending clarification). ``decide`` and ``respond`` return the updated copy inside their result
  (``ToolCalls.context`` / ``Reply.context``); the graph stores it and passes it back next turn.
- ``now``: an aware datetime (naive = business time zone); relative dates resolve against it.
- ``ToolCalls.calls``: calls of the contract's seven tools (get_360, log_interaction,
  add_family_member, call_priority_list, rfm_segment, draft_reply, mark_dropoff_recovered) and the
  read helpers ``find_customers(query)`` and ``upcoming_events(days)``. A resolved customer is
  passed as its integer id; a phone number as E.164, an email as written.
- ``Reply.kind``: "answer", "clarify" (a question; ``context.pending`` remembers the half-built
  call so a number, a city, a full name or the missing value completes it) or "out_of_scope".
- ``respond`` renders tool results generically: each result's ``text`` field when present, else
  a compact rendering of its fields. An ``ambiguous`` error with candidates becomes a numbered
  question (and a pending clarification); other errors show their message. One exception: a
  drop-off call that came back ambiguous while the user's message names the product is retried:
  ``respond`` then returns ``ToolCalls`` (that call with the matching ``dropoff_id``).

Writes are never guessed: a missing or ambiguous customer, a log with no interaction type, a
family member with no relationship or name, a draft with no channel -> a clarifying question.
Rules for dates are documented in ``agent.offline.slots.dates``; the vocabulary in ``agent.offline.lexicon``.
"""
from agent.offline.catalogue import Catalogue, Entry
from agent.offline.model import CAPABILITIES, OfflineModel
from agent.offline.types import (
    Candidate,
    ConversationContext,
    CustomerRef,
    Decision,
    DropoffRef,
    Message,
    PendingClarification,
    Reply,
    ToolCall,
    ToolCalls,
    ToolResult,
)

__all__ = [
    "CAPABILITIES", "Candidate", "Catalogue", "ConversationContext", "CustomerRef", "Decision", "DropoffRef",
    "Entry", "Message", "OfflineModel", "PendingClarification", "Reply", "ToolCall", "ToolCalls", "ToolResult",
]
