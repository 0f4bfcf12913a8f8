"""Focused benchmarks, each one figure of issue 13 measured alone (``c360 bench startup|view|refresh``).

Each returns rows of (what, figure) plus the load average before and after: the machine is shared,
so a figure without its load means little.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time as timer
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def startup(database_url: str, user: str, question: str, runs: int, *, top: int = 8) -> dict[str, Any]:
    """Wall time of ``c360 --help`` and of ``c360 ask QUESTION`` (offline model) in fresh processes,
    and the modules whose import costs the most in one ask (``python -X importtime``)."""
    # Bytecode is kept, as an installed c360 has it (pip compiles on install), but outside the source
    # tree: with PYTHONDONTWRITEBYTECODE every run compiled c360's ~200 modules again (~0.4 s of an ask)
    cache = Path(tempfile.gettempdir()) / f"c360-bench-pycache-{os.getuid()}"
    env = {**os.environ, "C360_DATABASE_URL": database_url, "C360_LLM_BACKEND": "offline",
           "C360_CLI_USER": user, "PYTHONPYCACHEPREFIX": str(cache)}
    for name in ("C360_LLM_BASE_URL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    cli = [sys.executable, "-m", "channels.cli"]
    before = load()

    def wall(args: list[str]) -> float:
        began = timer.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[2:])} failed: {done.stderr.strip()[-400:]}")
        return timer.perf_counter() - began

    wall(cli + ["ask", question])  # warm the file cache and the bytecode
    helps = [wall(cli + ["--help"]) for _ in range(runs)]
    asks = [wall(cli + ["ask", question]) for _ in range(runs)]
    traced = subprocess.run([sys.executable, "-X", "importtime", *cli[1:], "ask", question], env=env,
                            capture_output=True, text=True, check=False)
    imports, traced_rows = [], []
    for line in traced.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found:
            traced_rows.append((int(found.group(1)) / 1e6, len(found.group(3)), found.group(4)))
            if len(found.group(3)) == 1:  # top-level imports
                imports.append((int(found.group(2)) / 1e6, found.group(4)))
    imports.sort(reverse=True)
    return {"load_before": before, "load_after": load(),
            "rows": [("c360 --help, p50 s", round(statistics.median(helps), 2)),
                     (f"c360 ask {question!r} (offline), p50 s", round(statistics.median(asks), 2)),
                     ("  of which importing LangGraph (langgraph, langchain_core, langsmith and what only they "
                      "import), s (one ask)", round(imported_under(traced_rows, LANGGRAPH_PACKAGES), 2)),
                     *((f"  import {name}, s (one ask)", round(seconds, 2)) for seconds, name in imports[:top])]}


LANGGRAPH_PACKAGES = ("langgraph", "langgraph_sdk", "langchain_core", "langsmith")


def imported_under(rows: list[tuple[float, int, str]], packages: tuple[str, ...]) -> float:
    """Seconds of the imports a package set caused: the self time of each module of ``packages``
    and of every module first imported beneath one of them (``-X importtime`` rows in print order:
    (self seconds, depth, module); a module's imports are printed before it, one level deeper)."""
    total, under = 0.0, []  # under: depths of the open rows that belong to ``packages``
    for seconds, depth, name in reversed(rows):  # parents come first when read backwards
        while under and under[-1] >= depth:
            under.pop()
        if under or name.split(".")[0] in packages:
            total += seconds
            if name.split(".")[0] in packages:
                under.append(depth)
    return total


def view(world, heavy: list[int], rounds: int = 3) -> dict[str, Any]:
    """The 360 view of the heavy customers: statements per view and p50/p90 of the domain read and
    of the get_360 tool."""
    from domain.customer360 import load_customer_360
    from domain.db import read_session
    from evals.bench.world import bench_actor
    from tools.context import ToolContext
    from tools.registry import call_tool

    today, now, settings = world.clock.today(), world.clock.now(), world.settings
    ctx = ToolContext(world.sessions, bench_actor(world), world.clock, settings, request_id="bench")

    def domain(cid: int):
        with read_session(world.sessions) as session:
            return load_customer_360(session, cid, today, now=now, settings=settings)

    def tool(cid: int):
        result = call_tool("get_360", {"customer": cid}, ctx)
        if not result.ok:
            raise RuntimeError(result.text)

    sent: list[str] = []

    def on(conn, cursor, statement, *args) -> None:
        sent.append(statement)

    before = load()
    rows = []
    for name, fn in (("360 data (domain)", domain), ("get_360 tool", tool)):
        for cid in heavy:  # warm: pages in memory, statements prepared
            fn(cid)
        event.listen(world.engine, "before_cursor_execute", on)
        fn(heavy[0])
        event.remove(world.engine, "before_cursor_execute", on)
        count = len([s for s in sent if s.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE")])
        sent.clear()
        times = _times(fn, heavy * rounds)
        rows += [(f"{name}: statements per view", count),
                 (f"{name}: p50 ms", round(statistics.median(times), 2)),
                 (f"{name}: p90 ms", round(statistics.quantiles(times, n=10)[-1], 2))]
    return {"load_before": before, "load_after": load(), "rows": rows}


def refresh(world, runs: int) -> dict[str, Any]:
    """The daily refresh of the stored call priority for the next day (rolled back), per stage."""
    from domain.call_priority.stored import refresh_scores

    before = load()
    totals, stages = [], []
    for _ in range(runs):
        session = world.sessions()
        timings: dict[str, float] = {}
        try:
            began = timer.perf_counter()
            written = refresh_scores(session, None, today=world.clock.today() + timedelta(days=1),
                                     settings=world.settings, timings=timings)
            totals.append(timer.perf_counter() - began)
            stages.append(timings)
        finally:
            session.rollback()
            session.close()
    rows = [("customers rescored", written), ("whole refresh, p50 s", round(statistics.median(totals), 2))]
    rows += [(f"  {stage}, p50 s", round(statistics.median(s[stage] for s in stages), 3)) for stage in stages[0]]
    return {"load_before": before, "load_after": load(), "rows": rows}


def _times(fn: Callable[[int], Any], ids: list[int]) -> list[float]:
    out = []
    for cid in ids:
        began = timer.perf_counter()
        fn(cid)
        out.append((timer.perf_counter() - began) * 1000)
    return out
