"""The c360 graph for LangGraph's own tooling: ``langgraph dev``, LangGraph Studio, Agent Chat UI.

``langgraph.json`` names ``make_graph``. The LangGraph server brings its own checkpointer and
threads; c360 keeps what is c360's: the acting user (``C360_LANGGRAPH_USER``, else the CLI's
default user, resolved once when the server loads the graph; never a value a client or the model
sends), the settings and database (the usual ``C360_*`` variables), the tools' role checks, and the
write approval: every write stops at the graph's ``interrupt()``, which LangGraph shows as an
interrupt; resume it with ``{"decision": "approve"}``, ``"cancel"`` or
``{"decision": "edit", "changes": {...}}``.

The outer graph is one node that runs c360's own graph (``agent.graph.build_graph``) for a turn as
a subgraph with the run context c360 builds; its ``messages`` are LangChain messages with the
``add_messages`` reducer, what Studio and Agent Chat UI read and write.
"""
from __future__ import annotations

import functools
import os
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from agent.backends import make_backend
from agent.graph import GraphDeps, build_graph
from agent.state import AgentState, RunContext
from domain.clock import Clock
from domain.db import make_engine, session_factory, upgrade_schema
from domain.enums import Role
from domain.settings import Settings, get_settings
from domain.users import default_user, find_user
from tools.context import Actor

USER_VARIABLE = "C360_LANGGRAPH_USER"


class StudioState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]  # what LangGraph's UIs show and send
    c360: dict[str, Any]  # c360's own conversation state (agent.state.AgentState) between turns


def make_graph(config: RunnableConfig | None = None):
    """The graph factory ``langgraph.json`` names; the server may call it per run: built once."""
    return _graph_for_environment()


@functools.cache
def _graph_for_environment():
    return build_studio_graph(get_settings())


def build_studio_graph(settings: Settings):
    """The compiled graph ``langgraph dev`` serves (it adds its own checkpointer)."""
    url = settings.resolved_database_url
    upgrade_schema(url)
    sessions = session_factory(make_engine(url))
    clock = Clock.from_settings(settings)
    actor = acting_user(sessions, os.environ.get(USER_VARIABLE) or os.environ.get("C360_CLI_USER"))
    inner = build_graph(GraphDeps(backend=make_backend(settings, sessions), sessions=sessions)).compile()

    def turn(state: StudioState, config: RunnableConfig) -> dict[str, Any]:
        thread_id = str((config.get("configurable") or {}).get("thread_id") or "studio")
        text = _last_human_text(state.get("messages") or [])
        run = RunContext(actor=actor, thread_id=f"studio-{thread_id}", settings=settings, clock=clock)
        done: AgentState = inner.invoke({**(state.get("c360") or {}), "incoming": text}, config, context=run)
        kept = {k: done.get(k) for k in ("messages", "context", "turn") if k in done}
        return {"c360": kept, "messages": [AIMessage(content=done.get("reply") or "")]}

    graph = StateGraph(StudioState)
    graph.add_node("c360", turn)
    graph.add_edge(START, "c360")
    graph.add_edge("c360", END)
    compiled = graph.compile()
    compiled.name = "c360"
    return compiled


def acting_user(sessions, name: str | None) -> Actor:
    """The c360 user every run of this server acts as (a clear error when there is none)."""
    with sessions() as session:
        user = find_user(session, name) if name else default_user(session)
    if not user.is_active:
        raise ValueError(f"{user.name} is not an active user; set {USER_VARIABLE} to another one")
    return Actor(id=user.id, name=user.name, role=Role(user.role))


def _last_human_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            content = message.content
            if isinstance(content, list):  # content blocks: keep the text ones
                return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict)).strip()
            return str(content)
    return ""
