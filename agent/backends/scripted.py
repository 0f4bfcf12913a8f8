"""A model that plays a script: for tests of the graph, and for demos without any model.

Each step is a Decision, or a function of the ModelRequest returning one (so a step can look at the
context, e.g. use the id of the customer last discussed). Every request is recorded.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Union

from agent.backends import ModelRequest
from agent.decisions import Decision, Reply

Step = Union[Decision, Callable[[ModelRequest], Decision]]


class ScriptedModel:
    name = "scripted"

    def __init__(self, steps: Iterable[Step] = ()):
        self.steps: list[Step] = list(steps)
        self.requests: list[ModelRequest] = []

    def add(self, *steps: Step) -> ScriptedModel:
        self.steps.extend(steps)
        return self

    def decide(self, request: ModelRequest) -> Decision:
        self.requests.append(request)
        if not self.steps:
            return Reply("(the script has ended)")
        step = self.steps.pop(0)
        return step(request) if callable(step) else step
