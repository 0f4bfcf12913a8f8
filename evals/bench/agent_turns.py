"""Full agent turns in process: the offline model, the graph, the tools and the checkpointer, as users get them.

One round is a short conversation: the call list, one customer's 360, a logged call that waits for
approval, and the approval. Every turn is checked (the right tool ran, the write waited and then
ran), so a slow-but-wrong agent cannot pass for a fast one.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.bench.measure import Row, summarize
from evals.bench.world import World
from tools.context import Actor

CALL_LIST = "who should I call today?"


@dataclass(frozen=True)
class Step:
    kind: str  # label in the table
    message: str | None  # None: approve the pending write
    expect_tool: str  # the tool this turn must run (or propose, for a write)
    expect_pending: bool = False


def script(name: str) -> list[Step]:
    """The round every client plays, about one customer named as a user would type them."""
    return [
        Step("who should I call today?", CALL_LIST, "call_priority_list"),
        Step("show me <customer>", f"show me {name}", "get_360"),
        Step("log a call with <customer>, no answer", f"log a call with {name}, no answer", "log_interaction", expect_pending=True),
        Step("approve the write", None, "log_interaction"),
    ]


def check_turn(step: Step, calls: list[dict[str, Any]], pending: Any) -> str | None:
    """What is wrong with a turn's outcome, or None. ``calls`` as the runner or /chat reports them."""
    if step.expect_pending:
        if not pending or pending.get("tool") != step.expect_tool:
            return f"{step.kind!r}: no {step.expect_tool} waiting for approval"
        return None
    done = [c for c in calls if c.get("name") == step.expect_tool and c.get("ok")]
    return None if done else f"{step.kind!r}: {step.expect_tool} did not run successfully ({calls})"


@dataclass
class Played:
    """Durations per step kind, the problems seen, the threads used (to delete afterwards)."""

    durations: dict[str, list[float]]
    problems: list[str]
    threads: list[str]
    wall_seconds: float

    @property
    def turns(self) -> int:
        return sum(len(v) for v in self.durations.values())


def play(steps: list[Step], rounds: int, run_step: Callable[[str, Step], tuple[list[dict], Any]],
         *, prefix: str, deadline: float | None = None) -> Played:
    """``rounds`` conversations through ``run_step(thread_id, step) -> (calls, pending)``, timing each turn."""
    durations: dict[str, list[float]] = {s.kind: [] for s in steps}
    problems, threads = [], []
    began = time.perf_counter()
    for r in range(rounds):
        if deadline is not None and time.monotonic() > deadline:
            break
        thread = f"{prefix}-{uuid.uuid4().hex[:10]}-{r}"
        threads.append(thread)
        for step in steps:
            start = time.perf_counter()
            calls, pending = run_step(thread, step)
            durations[step.kind].append(time.perf_counter() - start)
            problem = check_turn(step, calls, pending)
            if problem:
                problems.append(problem)
    return Played(durations, problems, threads, time.perf_counter() - began)


def turn_rows(played: Played, label: str, *, per_second: float | None = None, **extra: Any) -> list[Row]:
    """One row per kind of turn, then all turns together (with turns per second)."""
    rows = [summarize(f"{label}: {kind}", seconds) for kind, seconds in played.durations.items()]
    every = [s for seconds in played.durations.values() for s in seconds]
    rate = per_second if per_second is not None else (played.turns / played.wall_seconds if played.wall_seconds else None)
    total = summarize(f"{label}: all turns", every, per_second=rate, **extra)
    if played.problems:
        total.note = f"{len(played.problems)} turn(s) went wrong, first: {played.problems[0]}"
        total.extra["problems"] = played.problems[:20]
    return rows + [total]


def in_process_rows(world: World, actor: Actor, name: str, rounds: int) -> list[Row]:
    """``rounds`` conversations on an ``Agent`` in this process, one after another."""
    from agent.runner import Agent

    agent = Agent(world.settings, world.sessions, world.clock)
    try:
        def run_step(thread: str, step: Step):
            if step.message is None:
                result = agent.resume(thread, actor, "approve")
            else:
                result = agent.run_turn(thread, actor, step.message)
            return result.calls, result.pending

        from agent.backends.llm_client import count_tokens

        steps = script(name)
        warmup = play(steps, 1, run_step, prefix="bench-warmup")  # graph compilation, imports, caches
        with count_tokens() as usage:
            played = play(steps, rounds, run_step, prefix="bench-agent")
        for thread in warmup.threads + played.threads:
            agent.checkpointer.saver.delete_thread(thread)
    finally:
        agent.close()
    rows = turn_rows(played, "agent turn, in process")
    tokens = usage.as_dict()
    if tokens:  # an LLM backend: the token budget per model step
        rows[-1].extra["llm_tokens"] = tokens
        budget = (f"token budget: {tokens['steps']} steps, {tokens['prompt'] / tokens['steps']:.0f} prompt "
                  f"tokens/step, max {tokens['max_prompt']}/step, {tokens['cached']} prompt tokens from the cache")
        rows[-1].note = f"{rows[-1].note}; {budget}" if rows[-1].note else budget
    return rows
