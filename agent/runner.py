"""The API the channels call: ``Agent.run_turn``, ``Agent.resume`` and their streaming variants.

One thread per conversation id (a Slack thread or DM, an HTTP conversation). An ``Agent`` holds the
settings, the sessions, the clock, a model backend and the compiled graph; two Agent objects on the
same checkpointer (two processes) continue each other's conversations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal

import httpx
from langgraph.types import Command

from agent.backends import ModelBackend, make_backend
from agent.checkpoint import Checkpointer, open_checkpointer
from agent.graph import GraphDeps, build_graph
from agent.replies import corrections_line
from agent.state import RunContext
from domain.clock import Clock
from domain.logs import bind_ids, new_request_id, release_ids
from domain.plain_text import without_control_chars
from domain.settings import Settings
from tools.context import Actor
from tools.telemetry import observed_turn

Decision = Literal["approve", "cancel", "edit"]
_YES = re.compile(r"^\s*(y|yes|yep|yeah|ok|okay|sure|approve|approved|confirm|go ahead|do it|haan|ha|hum|ji|thik ache)\W*$", re.I)
_NO = re.compile(r"^\s*(n|no|nope|cancel|stop|don'?t|na|nah|thak|bad dao)\W*$", re.I)


NOT_YOURS = ("A write someone else asked for is waiting for their approval in this conversation; "
             "only they can approve or cancel it. Ask me in your own conversation.")


def may_decide(pending: dict[str, Any], user: Actor) -> bool:
    """Only the user who asked for a write decides it (proposals older than this rule carry no requester)."""
    requester = pending.get("requested_by")
    return requester is None or requester == user.id


@dataclass
class TurnResult:
    """What one turn produced. ``pending`` is the write waiting for approval (then ``reply`` asks)."""

    thread_id: str
    reply: str
    cards: list[dict[str, Any]] = field(default_factory=list)  # successful tool results, structured
    pending: dict[str, Any] | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)  # {id, name, arguments, ok, status, error}


@dataclass
class AgentEvent:
    """One streamed event: ``tool`` (a tool step finished), ``text`` (a chunk of the reply), ``final``."""

    kind: Literal["tool", "text", "final"]
    data: Any


class Agent:
    """The conversational agent over the tools, with its checkpointed conversations."""

    def __init__(self, settings: Settings, sessions, clock: Clock | None = None, *,
                 backend: ModelBackend | None = None, checkpointer: Checkpointer | None = None,
                 http_client: httpx.Client | None = None):
        from agent.text import GroundedText

        self.settings = settings
        self.sessions = sessions
        self.clock = clock or Clock.from_settings(settings)
        self.backend = backend or make_backend(settings, sessions, http_client=http_client)
        self.text = GroundedText(settings, http_client=http_client)
        self._owns_checkpointer = checkpointer is None
        self.checkpointer = checkpointer or open_checkpointer(settings)
        deps = GraphDeps(backend=self.backend, sessions=sessions,
                         enrich_write=self.text.enrich_write, annotate_result=self.text.annotate_result)
        self.graph = build_graph(deps).compile(checkpointer=self.checkpointer.saver)

    # --- the API ---------------------------------------------------------------------------

    def run_turn(self, thread_id: str, user: Actor, text: str) -> TurnResult:
        """Answer one user message; may stop at a write that needs approval (``pending``)."""
        return self._last(self.stream_turn(thread_id, user, text))

    def resume(self, thread_id: str, user: Actor, decision: Decision,
               changes: dict[str, Any] | None = None) -> TurnResult:
        """Continue a turn stopped at a confirmation: approve, edit (``changes`` merged) or cancel."""
        return self._last(self.stream_resume(thread_id, user, decision, changes))

    def stream_turn(self, thread_id: str, user: Actor, text: str) -> Iterator[AgentEvent]:
        """``run_turn``, yielding tool steps, then the reply in chunks, then the TurnResult."""
        text = without_control_chars(text)  # U+0000 and the like: stripped here for every channel
        limit = self.settings.agent_max_message_chars
        if len(text) > limit:  # understanding cost grows with length; nothing is stored or run
            yield AgentEvent("final", TurnResult(
                thread_id, f"That message is {len(text):,} characters long; please send at most "
                f"{limit:,} (split a long transcript into parts)."))
            return
        prefix = ""
        pending = self.pending(thread_id)
        if pending is not None and not may_decide(pending, user):
            # someone else's write waits here: their words never approve, cancel or replace it
            yield AgentEvent("final", TurnResult(thread_id, NOT_YOURS))
            return
        if pending is not None and not text.strip():  # nothing said: the waiting write stays as it is
            yield AgentEvent("final", TurnResult(thread_id, "The write above is still waiting: approve, edit or "
                                                            "cancel it.", pending=pending))
            return
        if pending is not None:
            if _YES.match(text):
                yield from self.stream_resume(thread_id, user, "approve")
                return
            if _NO.match(text):
                yield from self.stream_resume(thread_id, user, "cancel")
                return
            # a new request while a write waits: the write is dropped, never run on a stale approval
            self._last(self.stream_resume(thread_id, user, "cancel"))
            prefix = "(The write waiting for approval was cancelled.)\n"
        yield from self._stream(thread_id, user, {"incoming": text}, prefix)

    def stream_resume(self, thread_id: str, user: Actor, decision: Decision,
                      changes: dict[str, Any] | None = None) -> Iterator[AgentEvent]:
        pending = self.pending(thread_id)
        if pending is None:
            yield AgentEvent("final", TurnResult(thread_id, "There is nothing waiting for approval."))
            return
        if not may_decide(pending, user):
            yield AgentEvent("final", TurnResult(thread_id, NOT_YOURS))
            return
        answer = {"decision": decision, "changes": changes or {}}
        yield from self._stream(thread_id, user, Command(resume=answer))

    def pending(self, thread_id: str) -> dict[str, Any] | None:
        """The confirmation the thread is waiting for, if any."""
        snapshot = self.graph.get_state(self._config(thread_id))
        return snapshot.interrupts[0].value if snapshot.interrupts else None

    def decided(self, thread_id: str) -> TurnResult | None:
        """The result of the thread's last turn when it ended with a decided write (written, failed or
        cancelled) and nothing waits now: what a retried decision answers, instead of "nothing waits"."""
        if self.pending(thread_id) is not None:
            return None
        result = self._result(thread_id)
        if any(c.get("write") and c.get("status") in ("done", "failed", "cancelled") for c in result.calls):
            return result
        return None

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        """The stored (bounded) conversation of a thread."""
        return list(self.graph.get_state(self._config(thread_id)).values.get("messages") or [])

    def close(self) -> None:
        if self._owns_checkpointer:
            self.checkpointer.close()

    # --- internals -------------------------------------------------------------------------

    def _config(self, thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    @observed_turn  # /metrics: turns by channel and outcome, and their duration
    def _stream(self, thread_id: str, user: Actor, payload: Any, prefix: str = "") -> Iterator[AgentEvent]:
        ids = bind_ids(turn_id=new_request_id())  # every log line this turn causes carries its id
        try:
            run = RunContext(actor=user, thread_id=thread_id, settings=self.settings, clock=self.clock)
            for update in self.graph.stream(payload, self._config(thread_id), context=run, stream_mode="updates"):
                step = update.get("run_tool") if isinstance(update, dict) else None
                if step and step.get("calls"):
                    yield AgentEvent("tool", _public_call(step["calls"][-1]))
            self.checkpointer.prune(thread_id)
            result = self._result(thread_id)
        finally:
            release_ids(ids)
        if prefix:
            result.reply = prefix + result.reply
        for chunk in re.findall(r"\S+\s*", result.reply):
            yield AgentEvent("text", chunk)
        yield AgentEvent("final", result)

    def _result(self, thread_id: str) -> TurnResult:
        snapshot = self.graph.get_state(self._config(thread_id))
        values = snapshot.values
        calls = values.get("calls") or []
        pending = snapshot.interrupts[0].value if snapshot.interrupts else None
        if pending is not None:
            problem = f"\n⚠ {pending['problem']}" if pending.get("problem") else ""
            corrected = corrections_line(pending.get("corrected"))
            reply = f"{pending['summary']}{problem}{corrected and chr(10) + corrected}\nApprove, edit or cancel?"
        else:
            reply = values.get("reply") or ""
        cards = [c["result"] for c in calls if c.get("ok") and c.get("result")]
        return TurnResult(thread_id, reply, cards, pending, [_public_call(c) for c in calls])

    def call_results(self, thread_id: str) -> dict[str, Any]:
        """The full tool result of each call of the thread's current turn, by call id (for the eval
        harness's ``result:`` checks; channels get the public call fields and the cards)."""
        calls = self.graph.get_state(self._config(thread_id)).values.get("calls") or []
        return {c["id"]: c.get("result") for c in calls if c.get("id")}

    @staticmethod
    def _last(events: Iterator[AgentEvent]) -> TurnResult:
        result = None
        for event in events:
            if event.kind == "final":
                result = event.data
        return result


def _public_call(call: dict[str, Any]) -> dict[str, Any]:
    return {k: call.get(k) for k in ("id", "name", "arguments", "ok", "status", "error", "write", "text")}
