"""The user's words referee an LLM's steps: the offline model's understanding judges every call and reply.

``RefereedBackend`` wraps an LLM backend. On each step it asks the offline model (deterministic, no
network) what the user's words support, offers the LLM only the tools of that intent, and then:

* a write the user's words do not ask for is not made (the offline reading's call or question is);
* a write's customer must be traceable to this conversation (named by the user or returned by a tool
  the user saw), else it becomes the one the user's words name;
* a filter, limit, duration or date the user did not say is dropped, and a date the user did say is
  the one resolved deterministically ("Friday" from today), whatever the model wrote;
* a reply without a tool while the user's words ask about a customer runs the read instead
  ("no customer fact without a tool");
* a final reply whose numbers, dates, names or labels are not bound to this turn's tool results is
  replaced by the composed reply from those results (``agent.text.binding``).

Every correction is recorded in the turn report (``agent.turn_report``), with what the model sent.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

from agent.backends import ModelRequest
from agent.backends.tool_schemas import slim_tool
from agent.decisions import Decision, Reply, ToolCall, ToolCalls, as_decision
from agent.replies import claims_write, sentences
from agent.text.binding import says_nothing_of, unbound_claims
from agent.tool_choice import choose_family, tools_for
from agent.turn_report import record
from domain.settings import Settings
from tools.registry import is_write

log = logging.getLogger(__name__)

# arguments a model may only pass when the user's words (the offline reading) carry them too
REFEREED = {"temperature", "lifecycle_stage", "limit", "segment", "since", "until", "timeline_types",
            "timeline_limit", "assigned_to_me", "date", "duration_seconds", "follow_up_at", "occurred_at",
            "outcome", "direction", "products", "date_of_birth", "anniversary_date", "dropoff_id", "tone",
            "language", "incoming_message", "opted_in", "at", "stage", "value", "probability", "status",
            "pinned", "add", "remove", "phone", "email", "gender", "profession", "channel", "type",
            "relationship", "opportunity", "cursor"}


class RefereedBackend:
    """An LLM backend whose steps the offline model's reading of the user's words referees."""

    def __init__(self, inner, offline, settings: Settings):
        self.inner = inner
        self.offline = offline
        self.settings = settings
        self.name = inner.name

    def decide(self, request: ModelRequest) -> Decision:
        reading = self._offline(request)
        memory = dict(reading.memory or {}) if reading is not None and reading.memory is not None else \
            dict((request.context or {}).get("memory") or {})
        intended = [c.name for c in reading.calls] if isinstance(reading, ToolCalls) else []
        previous = ((request.context or {}).get("memory") or {}).get("tool_family")
        family = choose_family(intended, previous)
        memory["tool_family"] = family
        every = [t["function"]["name"] for t in request.tools]
        names = tools_for(family, every) if self.settings.llm_tool_selection == "intent" else every
        if self.inner.name == "openai":
            # native tools sit at the top of the prompt: keep the ones offered earlier in this
            # conversation, in their order, and append the new intent's (a longer reusable prefix)
            earlier = [n for n in previous_tools(request) if n in every]
            names = earlier + [n for n in names if n not in earlier]
        memory["offered_tools"] = names
        # the model is not offered the parameters this referee fills from the user's words
        slim = [slim_tool(t, REFEREED) for t in request.tools]
        by_name = {t["function"]["name"]: t for t in slim}
        offered = [by_name[n] for n in names]  # in the order chosen above: the prefix stays stable
        first = not request.results
        step = dataclasses.replace(request, tools=offered, all_tools=slim, known_tools=every,
                                   tool_required=first and bool(intended))
        decision = as_decision(self.inner.decide(step))
        chosen = self._judge(decision, reading, request)
        chosen.memory = memory
        return chosen

    # --- the offline reading ------------------------------------------------------------------
    def _offline(self, request: ModelRequest) -> Decision | None:
        try:
            return as_decision(self.offline.decide(request))
        except Exception:  # the referee must never take the turn down with it
            log.exception("the offline reading failed; the model's step is judged without it")
            return None

    # --- judging --------------------------------------------------------------------------------
    def _judge(self, decision: Decision, reading: Decision | None, request: ModelRequest) -> Decision:
        if isinstance(decision, ToolCalls) and decision.calls:
            return self._judge_calls(decision, reading, request)
        return self._judge_reply(decision, reading, request)

    def _judge_calls(self, decision: ToolCalls, reading: Decision | None, request: ModelRequest) -> Decision:
        sent = [{"name": c.name, "arguments": c.arguments} for c in decision.calls]
        reading_calls = reading.calls if isinstance(reading, ToolCalls) else []
        if reading_calls:
            wanted = {c.name for c in reading_calls}
            for call in decision.calls:
                if call.name in wanted:
                    continue
                # a call the user's words do not ask for is dropped, and noted with what the model sent
                record("write_not_asked" if is_write(call.name) else "read_not_asked", sent, tool=call.name)
            unused = [c for c in decision.calls if not c.error]
            out: list[ToolCall] = []
            for expected in reading_calls:
                match = next((c for c in unused if c.name == expected.name), None)
                if match is None:
                    out.append(_fresh(expected))
                    continue
                unused.remove(match)
                fixed, changes = referee_arguments(match.arguments or {}, expected.arguments or {},
                                                   keep_customer=_traceable(match.arguments, request))
                if changes:
                    record("arguments_corrected", sent, tool=match.name, changes=changes)
                out.append(ToolCall(name=match.name, arguments=fixed, id=match.id, corrected=changes))
            if len(unused) == len([c for c in decision.calls if not c.error]):
                record("tool_replaced", sent, by=[c.name for c in reading_calls])
            return ToolCalls(out)
        if reading is not None and getattr(reading, "kind", "answer") == "out_of_scope" or \
                (not request.results and getattr(reading, "kind", "") == "clarify"):
            # the user asked for nothing a tool does (or must answer a question first): no call is made
            for call in decision.calls:
                record("write_not_asked" if is_write(call.name) else "read_not_asked", sent, tool=call.name)
            return reading
        done = {(r["name"], _key(r.get("arguments"))) for r in request.results}
        said = _user_words(request)
        kept: list[ToolCall] = []
        for call in decision.calls:
            if is_write(call.name):
                record("write_not_asked", sent, tool=call.name)
                return _replacement(reading, request)
            if call.error:
                kept.append(call)  # unparseable arguments go back to the model once (the graph explains)
                continue
            if (call.name, _key(call.arguments)) in done or not _traceable(call.arguments, request):
                record("read_refused", sent, tool=call.name)
                return _replacement(reading, request)
            fixed, changes = unsaid_dropped(call.arguments or {}, said)
            if changes:
                record("arguments_corrected", sent, tool=call.name, changes=changes)
            kept.append(ToolCall(name=call.name, arguments=fixed, id=call.id, corrected=changes))
        return ToolCalls(kept, text=decision.text)

    def _judge_reply(self, decision: Decision, reading: Decision | None, request: ModelRequest) -> Decision:
        text = getattr(decision, "text", "") or ""
        if isinstance(reading, ToolCalls) and reading.calls:
            # the user's words ask for a tool (a first step, or a retry the results call for)
            record("reply_without_tool", [{"reply": text}])
            return ToolCalls([_fresh(c) for c in reading.calls])
        if getattr(decision, "kind", "") == "unreadable":
            record("unreadable", [{"reply": text}])
            return decision if reading is None else _with_kind(reading, "unreadable")
        if reading is not None and getattr(reading, "kind", "answer") in ("clarify", "out_of_scope"):
            return reading  # a question the user must answer, or a polite decline: the product's words
        facts = [r.get("result") for r in request.results]
        said = " ".join(m.get("content") or "" for m in request.messages if m.get("role") == "user")
        problems = unbound_claims(text, facts, said, actor=request.actor.name) if text.strip() else ["empty"]
        written = any(is_write(r["name"]) and (r.get("result") or {}).get("ok") for r in request.results)
        if not written and any(claims_write(s) for s in sentences(text)):
            problems.append("claims a write that did not happen")  # "Call logged successfully." after a read
        if problems:
            record("grounding_failure", [{"reply": text}], problems=problems[:8])
            return reading if reading is not None else Reply("I could not check that answer against the records.")
        if reading is not None and says_nothing_of(text, facts):
            # "Here is the profile." names nobody the results are about: the composed reply says what they say
            record("reply_uninformative", [{"reply": text}])
            return reading
        return Reply(text)


def previous_tools(request: ModelRequest) -> list[str]:
    return list(((request.context or {}).get("memory") or {}).get("offered_tools") or [])


def referee_arguments(model: dict[str, Any], reading: dict[str, Any], *,
                      keep_customer: bool = False) -> tuple[dict[str, Any], list[str]]:
    """The model's arguments with the user's words as referee: the reading's customer (unless the
    model's is one the conversation names) and refereed values win, refereed values the reading does
    not carry are dropped, and so is a customer nobody in the conversation named. (arguments, what
    changed, in words the user can read)."""
    fixed = dict(model)
    changes = []
    for key, value in reading.items():
        if key == "customer" and keep_customer and fixed.get(key) not in (None, ""):
            continue
        if key == "customer" or key in REFEREED or key not in fixed:
            if fixed.get(key) not in (None, "") and fixed.get(key) != value:
                if key == "customer":
                    shown = f"#{value}" if isinstance(value, int) else _shown(value)
                    changes.append(f"customer {shown} (the one you named), not {_shown(fixed[key])}")
                else:
                    changes.append(f"{_label(key)} {_shown(value)} (you said so), not {_shown(fixed[key])}")
            fixed[key] = value
    if "customer" not in reading and not keep_customer and fixed.get("customer") not in (None, ""):
        changes.append(f"no customer {_shown(fixed['customer'])} (nobody in this conversation named it)")
        del fixed["customer"]
    for key in list(fixed):
        if key in REFEREED and key not in reading:
            if fixed[key] not in (None, [], ""):
                changes.append(f"no {_label(key)} {_shown(fixed[key])} (you did not say it)")
            del fixed[key]
        elif fixed[key] is None:
            del fixed[key]
    return fixed, changes


def unsaid_dropped(arguments: dict[str, Any], said: str) -> tuple[dict[str, Any], list[str]]:
    """Without the offline reading's call to compare with, a refereed value stays only when the user's
    own words carry it ("cold" for temperature=cold, "5" for limit=5); dates never do (the reading
    resolves those)."""
    fixed = dict(arguments)
    changes = []
    for key in list(fixed):
        value = fixed[key]
        if key not in REFEREED or value in (None, [], ""):
            if value is None:
                del fixed[key]
            continue
        if not _in_words(value, said):
            changes.append(f"no {_label(key)} {_shown(value)} (you did not say it)")
            del fixed[key]
    return fixed, changes


def _in_words(value: Any, said: str) -> bool:
    if isinstance(value, bool):
        return False  # a flag ("assigned_to_me") the reading would have set when the words carry it
    if isinstance(value, list):
        return all(_in_words(v, said) for v in value)
    text = re.sub(r"[_\-]+", " ", str(value)).strip().lower()
    return bool(text) and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", said) is not None


def _label(key: str) -> str:
    return key.replace("_", " ")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"'{value}'" if isinstance(value, str) else str(value)


def _user_words(request: ModelRequest) -> str:
    text = " ".join(m.get("content") or "" for m in request.messages if m.get("role") == "user").lower()
    return re.sub(r"[_\-]+", " ", text)


def _traceable(arguments: dict[str, Any] | None, request: ModelRequest) -> bool:
    """A customer argument the conversation names: the user's words, or a tool result of this
    conversation. The acting user is never one (the note says who is asking; that is not a customer)."""
    customer = (arguments or {}).get("customer")
    if customer in (None, ""):
        return True
    value = str(customer).strip().lower()
    known = {str(c.get("id")) for c in (request.context or {}).get("recent", []) if isinstance(c, dict)}
    focus = (request.context or {}).get("customer") or {}
    if focus:
        known.add(str(focus.get("id")))
    if value in known:
        return True
    actor = (request.actor.name or "").strip().lower()
    if actor and (value == actor or value in actor.split()) and value not in _user_words(request):
        return False  # the acting user's name (in a tool result's "assigned to") is not a customer
    said = " ".join(m.get("content") or "" for m in request.messages).lower()
    return value in known or (len(value) >= 3 and value in said)


def _replacement(reading: Decision | None, request: ModelRequest) -> Decision:
    if reading is None:
        return Reply("I could not work out what to do from that; could you say it another way?", kind="clarify")
    if isinstance(reading, ToolCalls):
        return ToolCalls([_fresh(c) for c in reading.calls])
    return reading


def _fresh(call: ToolCall) -> ToolCall:
    return ToolCall(name=call.name, arguments=dict(call.arguments or {}))


def _with_kind(reading: Decision, kind: str) -> Decision:
    if isinstance(reading, Reply) and reading.kind == "answer" and kind == "unreadable":
        return reading
    return reading


def _key(arguments: Any) -> str:
    import json

    return json.dumps(arguments or {}, sort_keys=True, default=str)
