"""``offline``: the deterministic sales-desk model (``agent.offline``) behind the backend interface.

The model's own conversation context (last customer, a pending clarifying question, ...) is a
frozen dataclass; it travels through the checkpoint as plain data (``memory``) and is rebuilt on
each step, so any process can continue a conversation.
"""
from __future__ import annotations

import dataclasses
import threading
import typing
from typing import Any

from sqlalchemy import func, select

from agent.backends import ModelRequest
from agent.decisions import Decision, Reply, ToolCall, ToolCalls
from domain.db import read_session
from domain.models import Customer, Opportunity, Product, User
from domain.settings import Settings


class OfflineBackend:
    name = "offline"

    def __init__(self, settings: Settings, sessions):
        from agent.offline import (
            OfflineModel,  # imported late: the model loads its dictionaries once
        )

        self.settings = settings
        self.sessions = sessions
        self._model_class = OfflineModel
        self._model = None
        self._version: tuple | None = None
        self._lock = threading.Lock()

    def model(self):
        """The model over the current customer, product and user names (rebuilt when they change)."""
        from agent.offline.catalogue import Catalogue

        with read_session(self.sessions) as session:
            # updated_at moves on profile edits only (derived scores keep it: domain.stats), so a
            # logged call does not rebuild 100k names (~1 s).
            version = (
                session.execute(select(func.count(Customer.id), func.max(Customer.id), func.max(Customer.updated_at))).one(),
                session.execute(select(func.count(Product.id), func.max(Product.id))).one(),
                session.execute(select(func.count(User.id), func.max(User.id))).one(),
                session.execute(select(func.count(Opportunity.id), func.max(Opportunity.id))).one(),
            )
            with self._lock:
                if self._model is None or version != self._version:
                    customers = session.execute(
                        select(Customer.id, Customer.name, Customer.city).where(Customer.status != "erased")).all()
                    products = session.scalars(select(Product.name).order_by(Product.id)).all()
                    users = session.scalars(select(User.name)).all()
                    deals = session.execute(select(Opportunity.id, Opportunity.name, Opportunity.customer_id,
                                                   Opportunity.status)).all()
                    catalogue = Catalogue(customers=[tuple(c) for c in customers], products=list(products),
                                          users=list(users), deals=[tuple(d) for d in deals])
                    self._model = self._model_class(catalogue, tz=self.settings.timezone,
                                                    region=self.settings.phone_region)
                    self._version = version
                return self._model

    def _describer(self, actor):
        """customer ids -> "phone, last contact D" as ``actor`` may see them (for a question between namesakes)."""
        from tools.resolve import customer_candidates

        def describe(ids: list[int]) -> dict[int, str]:
            with read_session(self.sessions) as session:
                found = customer_candidates(session, ids, actor, self.settings)
            return {c.id: ", ".join(x for x in (c.phone, f"last contact {c.last_contact}" if c.last_contact else None)
                                    if x) for c in found}

        return describe

    def decide(self, request: ModelRequest) -> Decision:
        from agent.offline.types import ConversationContext, CustomerRef

        model = self.model()
        memory = (request.context or {}).get("memory")
        context = from_plain(ConversationContext, memory) if memory else ConversationContext()
        known = (request.context or {}).get("customer")
        if context.last_customer is None and known:  # e.g. a conversation begun on another backend
            context = context.evolve(last_customer=CustomerRef(id=known["id"], name=known["name"]))
        messages = [{"role": m["role"], "content": m.get("content") or ""}
                    for m in request.messages if m.get("role") in ("user", "assistant") and m.get("content")]
        results = request.turn_results()
        if results:
            decision = model.respond(messages, results, context, request.now)
        else:
            decision = model.decide(messages, context, request.now, details=self._describer(request.actor))
        new_memory = to_plain(decision.context) if getattr(decision, "context", None) is not None else memory
        calls = getattr(decision, "calls", None)
        if calls is not None:
            return ToolCalls([ToolCall(name=c.name, arguments=dict(c.arguments)) for c in calls], memory=new_memory)
        return Reply(decision.text, memory=new_memory, kind=getattr(decision, "kind", "answer"))


def to_plain(value: Any) -> Any:
    """A dataclass tree as JSON-like data (dicts, lists, ISO strings stay as they are)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def from_plain(cls: Any, data: Any) -> Any:
    """Rebuild a value of type ``cls`` (dataclasses, tuples, lists, optionals) from ``to_plain`` data."""
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for option in typing.get_args(cls):
            if option is type(None):
                continue
            try:
                return from_plain(option, data)
            except (TypeError, ValueError, KeyError):
                continue
        return data
    if dataclasses.is_dataclass(cls):
        if not isinstance(data, dict):
            raise TypeError(f"expected a mapping for {cls.__name__}")
        hints = typing.get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: from_plain(hints.get(k, Any), v) for k, v in data.items() if k in known})
    if origin is tuple:
        args = typing.get_args(cls)
        item = args[0] if args else Any
        return tuple(from_plain(item, v) for v in data)
    if origin is list:
        args = typing.get_args(cls)
        return [from_plain(args[0] if args else Any, v) for v in data]
    return data
