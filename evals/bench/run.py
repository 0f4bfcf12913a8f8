"""``run_bench``: build or reuse the world, take every measurement on it, undo the writes, report."""
from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.db import read_session
from domain.rfm import rfm_distribution
from domain.settings import Settings
from evals.bench.agent_turns import in_process_rows
from evals.bench.duckdb_ref import duckdb_reference
from evals.bench.measure import COLUMNS
from evals.bench.reads import heavy_customers, read_rows, typed_reference
from evals.bench.server import served_rows
from evals.bench.world import bench_actor, bench_database_url, bench_settings, open_world
from evals.bench.writes import take_watermarks, undo_writes, write_rows
from tools.context import ToolContext


@dataclass
class BenchOptions:
    """How much to measure. The defaults are the issue's world (100,000 customers) and sample sizes."""

    customers: int = 100_000
    database_url: str | None = None  # None: the bench's own SQLite file, reused between runs
    rebuild: bool = False
    seed: int = 42
    runs: int = 10  # timings of each whole-population read (call priority, RFM, DuckDB)
    samples: int = 200  # heavy customers for the 360 rows, and writes for log_interaction
    agent_rounds: int = 10  # in-process conversations of 4 turns
    clients: int = 4  # concurrent HTTP clients
    http_rounds: int = 5  # conversations per HTTP client at most
    http_seconds: float = 120.0  # and at most this long
    slack_events: int = 40
    slack_interval: float = 0.5  # seconds between Slack events


def machine() -> dict[str, Any]:
    """What the numbers ran on; the machine is shared, so the load average goes with every table."""
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform()}


def run_bench(base: Settings, options: BenchOptions, *,
              on_step: Callable[[str], None] | None = None,
              on_build: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Every measurement on one world; returns the report (``rows`` in table order, JSON-ready)."""
    say = on_step or (lambda message: None)
    before = machine()
    url = options.database_url or bench_database_url(base, options.customers)
    settings = bench_settings(base, url)
    say(f"world: {options.customers:,} customers in {url}")
    world = open_world(settings, options.customers, seed=options.seed, rebuild=options.rebuild,
                       own_database=options.database_url is None, on_progress=on_build)
    try:
        return _measure(world, options, before, say)
    finally:
        world.engine.dispose()


def _measure(world, options: BenchOptions, before: dict, say: Callable[[str], None]) -> dict[str, Any]:
    actor = bench_actor(world)
    ctx = ToolContext(world.sessions, actor, world.clock, world.settings, request_id="bench")
    heavy = heavy_customers(world, options.samples)
    named_id, name = typed_reference(world, ctx, heavy)

    say("DuckDB reference")
    reference = duckdb_reference(world, options.runs)
    say("reads: call priority, RFM, 360")
    rows = read_rows(world, ctx, heavy, options.runs)
    with read_session(world.sessions) as session:
        ours = rfm_distribution(session, world.clock.today(), world.settings.rfm_monetary_thresholds,
                                world.settings.rfm_mode, tz=world.settings.tz)
    our_counts = {s.segment.value: s.count for s in ours.segments}
    rows[6:6] = [reference.row, *reference.same_work.values()]

    marks = take_watermarks(world, heavy + [named_id])
    threads: list[str] = []
    try:
        say(f"writes: {len(heavy)} log_interaction calls")
        rows += write_rows(world, ctx, heavy)
        say(f"agent: {options.agent_rounds} conversations in process")
        rows += in_process_rows(world, actor, name, options.agent_rounds)
        say(f"HTTP and Slack: c360 serve with {options.clients} clients")
        served, threads = served_rows(world, actor, name, clients=options.clients, rounds=options.http_rounds,
                                      seconds=options.http_seconds, slack_events=options.slack_events,
                                      slack_interval=options.slack_interval)
        rows += served
    finally:
        say("undoing the benchmark's writes")
        undone = undo_writes(world, marks)
        _forget_threads(world, threads)
    _ratios(rows, reference)

    return {
        "as_of": world.clock.now().isoformat(),
        "database": _safe_url(world.database_url),
        "world": {"customers": world.customers, "orders": world.orders, "interactions": world.interactions,
                  "built_now": world.built, "build_seconds": world.build_seconds, "seed": options.seed,
                  "clv_model": world.clv_model, "stored_scores": world.stored_scores},
        "machine": {**before, "load_average_after": machine()["load_average"]},
        "options": {k: v for k, v in vars(options).items() if k != "database_url"},
        "heavy_customers": {"count": len(heavy), "agent_asks_about": name},
        "duckdb": {"source": reference.source, "counts": reference.counts, "ours": our_counts,
                   "counts_match": reference.counts == our_counts},
        "columns": list(COLUMNS),
        "rows": [row.as_json() for row in rows],
        "undone": undone,
    }


# like-for-like: the same query by DuckDB on a copy of the same stored table
SAME_WORK = {"call priority: top 10 from the stored scores (domain)": "D2",
             "call priority: call_priority_list tool": "D2",
             "RFM distribution (domain)": "D3", "RFM distribution: rfm_segment tool": "D3"}


def _ratios(rows, reference) -> None:
    """Every figure over DuckDB's raw-orders aggregation of this run; the stored reads also over
    DuckDB doing the same read on the same table."""
    for row in rows:
        if not row.available or row is reference.row or row in reference.same_work.values():
            continue
        if reference.row.available:
            row.vs_duckdb = row.p50_ms / reference.row.p50_ms
        same = reference.same_work.get(SAME_WORK.get(row.what, ""))
        if same is not None and same.available:
            row.vs_same, row.same_as = row.p50_ms / same.p50_ms, SAME_WORK[row.what]


def _forget_threads(world, threads: list[str]) -> None:
    """Delete the server's benchmark conversations from the checkpointer (the file is shared by runs)."""
    if not threads:
        return
    from agent.checkpoint import open_checkpointer

    checkpointer = open_checkpointer(world.settings)
    try:
        for thread in threads:
            checkpointer.saver.delete_thread(thread)
    finally:
        checkpointer.close()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

