"""The agent as a LangGraph graph: start -> model -> [propose -> confirm] -> run_tool -> model ... -> end.

* ``model`` asks the backend for the next step (tool calls or a reply); the reply the user sees is
  composed from the tool results (``agent.replies``), so it never claims a write that did not happen.
* ``propose`` builds what a write will do (resolved customer, fields, values); ``confirm`` pauses
  with ``interrupt()`` until the user approves, edits or cancels. Both run *before* any side effect:
  a resumed run re-enters ``confirm``, never a half-done write.
* ``run_tool`` runs one call through ``tools.registry.call_tool``; a write carries an idempotency key
  derived from (thread, turn, tool call id), so even a run replayed after a crash writes once. A tool
  not offered to models (``export_customer``) is refused as unknown even when a model names it.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Callable

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent.backends import ModelBackend, ModelRequest
from agent.backends.conversation import NOTE_KEY, turn_note
from agent.context import empty_context, update_context
from agent.decisions import ModelUnavailable, Reply, as_decision
from agent.history import summarise, trim_messages
from agent.proposals import apply_edit, build_proposal
from agent.replies import (compose_reply, repeated_failure_reply, step_limit_reply, tool_message_content,
                           unavailable_reply)
from agent.state import AgentState, RunContext
from tools.context import ToolContext
from tools.registry import call_tool, is_offered, is_write, load_tools, offered_tools, openai_tools
from tools.results import ToolError, to_payload

log = logging.getLogger(__name__)


@dataclass
class GraphDeps:
    """What the graph's nodes need besides the state and the run context."""

    backend: ModelBackend
    sessions: Any  # sessionmaker
    # (tool name, arguments) -> fields to suggest for a write (e.g. a post-call summary)
    enrich_write: Callable[[str, dict[str, Any], ToolContext], dict[str, Any]] | None = None
    # (tool name, payload, ctx) -> payload with grounded text added (explanations, reworded drafts)
    annotate_result: Callable[[str, dict[str, Any], ToolContext], dict[str, Any]] | None = None


def idempotency_key(thread_id: str, turn: int, call_id: str) -> str:
    """Stable across processes and resumes; short enough for the idempotency table's key column."""
    digest = hashlib.sha256(f"{thread_id}\x00{turn}\x00{call_id}".encode()).hexdigest()[:40]
    return f"agent:{digest}"


def tool_context(deps: GraphDeps, run: RunContext, state: AgentState, key: str | None = None) -> ToolContext:
    return ToolContext(sessions=deps.sessions, actor=run.actor, clock=run.clock, settings=run.settings,
                       request_id=f"{run.thread_id[:40]}#{state.get('turn', 0)}", idempotency_key=key)


def build_graph(deps: GraphDeps) -> StateGraph:
    """The uncompiled graph; ``agent.runner.Agent`` compiles it with a checkpointer."""
    load_tools()
    schemas = openai_tools()  # generated once: pydantic schema generation is slow enough to matter per step

    def start(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        settings = runtime.context.settings
        kept, context = _bounded(state.get("messages") or [], state.get("context"), settings.agent_history_messages - 1)
        run = runtime.context
        # the note (who, when, who is in focus) is frozen with the message: later prompts begin with
        # this one unchanged, so a server's prefix cache reuses them
        kept.append({"role": "user", "content": state.get("incoming") or "",
                     NOTE_KEY: turn_note(run.actor, run.clock.now(), settings.timezone, context)})
        return {"messages": kept, "context": context, "turn": state.get("turn", 0) + 1, "steps": 0,
                "queue": [], "calls": [], "proposal": None, "reply": None, "incoming": None}

    def model(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        run = runtime.context
        calls = state.get("calls") or []
        if state.get("steps", 0) >= run.settings.agent_max_steps:
            return _final(state, step_limit_reply(run.settings.agent_max_steps, calls), run.settings)
        request = ModelRequest(
            messages=state["messages"], context=state.get("context") or empty_context(), now=run.clock.now(),
            actor=run.actor, tools=schemas, approval_required=run.settings.writes_need_approval,
            results=[{"name": c["name"], "arguments": c.get("arguments") or {},
                      "result": c.get("result") or {"ok": False, "error": c.get("error"), "message": c.get("text")}}
                     for c in calls],
        )
        try:
            decision = as_decision(deps.backend.decide(request))
        except ModelUnavailable as exc:
            log.warning("model unavailable on thread %s: %s", run.thread_id, exc.reason)
            return _final(state, unavailable_reply(exc.reason, calls), run.settings)
        except Exception:  # a backend bug must end the turn politely, not crash the conversation
            log.exception("model backend %s failed on thread %s", deps.backend.name, run.thread_id)
            return _final(state, unavailable_reply("the model failed unexpectedly", calls), run.settings)
        context = dict(state.get("context") or empty_context())
        if decision.memory is not None:
            context["memory"] = decision.memory
        update: dict[str, Any] = {"steps": state.get("steps", 0) + 1, "context": context}
        if isinstance(decision, Reply) or not decision.calls:
            return {**update, **_final({**state, **update}, compose_reply(decision.text, calls), run.settings)}
        queue = [{"id": c.id, "name": c.name, "arguments": c.arguments, "error": c.error,
                  "corrected": list(c.corrected)} for c in decision.calls]
        message = {"role": "assistant", "content": decision.text or None,
                   "tool_calls": [c.as_message_call() for c in decision.calls]}
        return {**update, "messages": [*state["messages"], message], "queue": queue}

    def propose(state: AgentState, runtime: Runtime[RunContext]) -> Command:
        run = runtime.context
        head = state["queue"][0]
        ctx = tool_context(deps, run, state)
        enrich = (lambda name, args: deps.enrich_write(name, args, ctx)) if deps.enrich_write else None
        proposal = build_proposal(head, ctx, enrich)
        if proposal is None:  # invalid or unresolvable: the tool itself explains, and writes nothing
            return Command(goto="run_tool")
        return Command(goto="confirm", update={"proposal": proposal})

    def confirm(state: AgentState, runtime: Runtime[RunContext]) -> Command:
        proposal = state["proposal"]
        answer = interrupt(proposal)
        decision, changes = _parse_answer(answer)
        queue = list(state["queue"])
        head = dict(queue[0])
        if decision == "cancel":
            return Command(goto=END, update=_cancel(state, head, proposal, runtime.context.settings))
        arguments = proposal["arguments"]
        if decision == "edit":
            arguments, problem = apply_edit(proposal, changes)
            if problem:  # ask again, showing what is wrong with the edit
                return Command(goto="confirm", update={"proposal": {**proposal, "arguments": arguments,
                                                                     "problem": problem}})
            if any(arguments.get(k) != proposal["arguments"].get(k) for k in ("customer", "dropoff_id")):
                head["arguments"] = arguments  # another record: resolve it and show it before writing
                return Command(goto="propose", update={"queue": [head, *queue[1:]], "proposal": None})
        head.update(arguments=arguments, approved=True, customer=proposal.get("customer"))
        return Command(goto="run_tool", update={"queue": [head, *queue[1:]], "proposal": None})

    def run_tool(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        run = runtime.context
        queue = list(state["queue"])
        head = queue.pop(0)
        write = is_write(head["name"])
        if head.get("error"):
            payload = {"ok": False, "error": "invalid", "message": head["error"], "text": f"invalid: {head['error']}"}
        elif not is_offered(head["name"]):  # unknown, or a channel-only tool a model must never run
            payload = to_payload(ToolError(error="unknown_tool", message=f"there is no tool {head['name']!r}; "
                                                                         f"the tools are: {', '.join(offered_tools())}"))
        else:
            key = idempotency_key(run.thread_id, state.get("turn", 0), head["id"]) if write else None
            ctx = tool_context(deps, run, state, key)
            payload = to_payload(call_tool(head["name"], head.get("arguments"), ctx))
            if payload.get("ok") and deps.annotate_result is not None:
                payload = _safely(deps.annotate_result, head["name"], payload, ctx)
        ok = bool(payload.get("ok"))
        call = {"id": head["id"], "name": head["name"], "arguments": head.get("arguments"), "write": write,
                "ok": ok, "status": ("done" if ok else "failed") if write else ("read" if ok else "failed"),
                "error": None if ok else payload.get("error"), "text": payload.get("text"), "result": payload,
                "customer": head.get("customer"), "corrected": head.get("corrected") or []}
        context = update_context(state.get("context") or empty_context(), head["name"], payload)
        message = {"role": "tool", "tool_call_id": head["id"], "content": tool_message_content(head["name"], payload)}
        earlier = state.get("calls") or []
        update = {"queue": queue, "calls": [*earlier, call], "context": context,
                  "messages": [*state["messages"], message], "proposal": None}
        if not ok and any(c["name"] == call["name"] and c.get("arguments") == call["arguments"] and not c.get("ok")
                          for c in earlier):  # the same failing call twice: a loop, not progress
            text = repeated_failure_reply(call, update["calls"])
            return {**update, **_final({**state, **update}, text, run.settings)}
        return update

    def route(state: AgentState, runtime: Runtime[RunContext]) -> str:
        if state.get("reply") is not None:
            return END
        queue = state.get("queue") or []
        if not queue:
            return "model"
        head = queue[0]
        needs_approval = runtime.context.settings.writes_need_approval and not head.get("approved")
        if is_write(head["name"]) and is_offered(head["name"]) and needs_approval and not head.get("error"):
            return "propose"
        return "run_tool"

    graph = StateGraph(AgentState, context_schema=RunContext)
    graph.add_node("start", start)
    graph.add_node("model", model)
    graph.add_node("propose", propose, destinations=("confirm", "run_tool"))
    graph.add_node("confirm", confirm, destinations=("confirm", "propose", "run_tool", END))
    graph.add_node("run_tool", run_tool)
    graph.add_edge(START, "start")
    graph.add_edge("start", "model")
    graph.add_conditional_edges("model", route, ["propose", "run_tool", "model", END])
    graph.add_conditional_edges("run_tool", route, ["propose", "run_tool", "model", END])
    return graph


def _bounded(messages: list[dict[str, Any]], context: dict[str, Any] | None, limit: int):
    """(messages, context): at most ``limit`` messages (the current turn is never cut), the dropped
    ones folded into the context's summary."""
    context = {**empty_context(), **(context or {})}
    kept, dropped = trim_messages(messages, limit)
    if dropped:
        context["summary_lines"] = summarise(dropped, context.get("summary_lines"))
        context["summary"] = "; ".join(context["summary_lines"])
    return kept, context


def _final(state: AgentState, text: str, settings) -> dict[str, Any]:
    """End the turn with ``text``: stored as the assistant's message so later turns see what was said;
    the stored conversation is bounded again before it is checkpointed."""
    messages, context = _bounded([*state["messages"], {"role": "assistant", "content": text}],
                                 state.get("context"), settings.agent_history_messages)
    return {"reply": text, "queue": [], "messages": messages, "context": context}


def _parse_answer(answer: Any) -> tuple[str, dict[str, Any] | None]:
    if isinstance(answer, str):
        return (answer if answer in ("approve", "cancel", "edit") else "cancel"), None
    if isinstance(answer, dict):
        decision = answer.get("decision", "cancel")
        return (decision if decision in ("approve", "cancel", "edit") else "cancel"), answer.get("changes")
    return "cancel", None  # anything unexpected is the safe answer: write nothing


def _cancel(state: AgentState, head: dict[str, Any], proposal: dict[str, Any], settings) -> dict[str, Any]:
    """The cancelled call and every call queued after it end as results; the turn ends, nothing written."""
    calls = list(state.get("calls") or [])
    messages = list(state["messages"])
    for index, item in enumerate(state["queue"]):
        reason = "cancelled by the user: nothing was written" if index == 0 else "skipped: the user cancelled"
        messages.append({"role": "tool", "tool_call_id": item["id"],
                         "content": tool_message_content(item["name"], {"ok": False, "error": "cancelled",
                                                                        "message": reason, "text": reason})})
        if index == 0:
            calls.append({"id": head["id"], "name": head["name"], "arguments": proposal["arguments"],
                          "write": True, "ok": False, "status": "cancelled", "error": "cancelled",
                          "text": reason, "result": None, "customer": proposal.get("customer")})
    return {**_final({**state, "messages": messages}, compose_reply("", calls), settings),
            "calls": calls, "proposal": None}


def _safely(fn, name: str, payload: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    """Grounded text is a bonus: if it fails, the tool's own result still goes through unchanged."""
    try:
        return fn(name, payload, ctx)
    except Exception:
        log.exception("annotating the %s result failed", name)
        return payload
