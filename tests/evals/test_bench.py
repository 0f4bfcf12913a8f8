"""``c360 bench`` on tiny worlds: the table's shape and JSON, DuckDB agreeing with us, and the world
left exactly as it was after the benchmark's writes."""
from __future__ import annotations

import importlib
import json

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from channels.cli import COMMAND_MODULES, app
from domain.call_priority.stored import is_current
from domain.db import read_session
from domain.errors import DomainError
from domain.models import (
    ApiToken,
    AuditLog,
    Customer,
    FollowUp,
    CustomerStats,
    IdempotencyRecord,
    Interaction,
)
from domain.settings import Settings, get_settings
from evals.bench.duckdb_ref import duckdb_reference
from evals.bench.measure import COLUMNS, Target, summarize
from evals.bench.reads import heavy_customers, read_rows
from evals.bench.table import cells
from evals.bench.world import bench_actor, bench_database_url, bench_settings, open_world
from evals.bench.writes import take_watermarks, undo_writes, write_rows
from tools.context import ToolContext

READ_ROWS = ["call priority: top 10 from the stored scores (domain)", "call priority: call_priority_list tool",
             "call priority: full recomputation, every customer (domain)",
             "RFM distribution (domain)", "RFM distribution: rfm_segment tool",
             "daily refresh of the stored scores, all customers (next day, rolled back)",
             "D1 reference: RFM aggregation in DuckDB over the raw orders",
             "D2 reference: DuckDB, top 10 of the stored ranking (same table)",
             "D3 reference: DuckDB, RFM counts from the stored bands (same table)",
             "360 data, heavy customers (domain)", "get_360 tool, heavy customers"]


def fingerprint(sessions) -> dict:
    """What the benchmark must leave as it found it: row counts, aggregates and derived columns."""
    with read_session(sessions) as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))
        s = CustomerStats
        return {
            "rows": [count(m) for m in (Interaction, AuditLog, IdempotencyRecord, ApiToken)],
            "open_follow_ups": session.scalar(select(func.count()).where(
                Interaction.follow_up_at.is_not(None), Interaction.follow_up_done_at.is_(None))),
            "follow_ups": session.execute(select(FollowUp.id, FollowUp.closed_at, FollowUp.close_reason)
                                          .order_by(FollowUp.id)).all(),
            "stats": session.execute(select(s.customer_id, s.interaction_count, s.last_interaction_at,
                                            s.next_follow_up_at).order_by(s.customer_id)).all(),
            "derived": session.execute(select(Customer.id, Customer.temperature, Customer.lifecycle_stage,
                                              Customer.customer_type).order_by(Customer.id)).all(),
        }


def test_summarize_gives_percentiles_and_verdicts():
    row = summarize("x", [0.001 * v for v in range(1, 101)], target=Target("p50", 60))
    assert row.n == 100 and row.best_ms == pytest.approx(1.0)
    assert row.p50_ms == pytest.approx(np.percentile(np.arange(1, 101), 50))
    assert row.p99_ms == pytest.approx(np.percentile(np.arange(1, 101), 99))
    assert row.ok is True and summarize("y", [0.07], target=Target("p50", 60)).ok is False
    assert summarize("z", []).available is False


def test_reads_duckdb_and_undone_writes_on_a_given_database(db_url, tmp_path):
    settings = bench_settings(Settings(_env_file=None, data_dir=tmp_path), db_url)
    world = open_world(settings, 60, own_database=False)
    try:
        # a --db holding another number of customers is refused, never wiped, without --rebuild
        with pytest.raises(DomainError, match="--rebuild"):
            open_world(settings, 61, own_database=False)
        ctx = ToolContext(world.sessions, bench_actor(world), world.clock, world.settings, request_id="test")
        heavy = heavy_customers(world, 5)
        reference = duckdb_reference(world, 1)
        rows = read_rows(world, ctx, heavy, 1)
        assert [r.what for r in rows] == [w for w in READ_ROWS if "DuckDB" not in w]
        assert all(r.available and r.n >= 1 and r.p50_ms <= r.p99_ms for r in rows)
        assert reference.row.available and sum(reference.counts.values()) > 0
        assert set(reference.same_work) == {"D2", "D3"} and all(r.available for r in reference.same_work.values())
        with read_session(world.sessions) as session:  # the daily refresh ran (in the build, or after)
            assert is_current(session, world.clock.today(), world.settings)

        before = fingerprint(world.sessions)
        marks = take_watermarks(world, heavy)
        [logged] = write_rows(world, ctx, heavy)
        assert logged.n == len(heavy)
        assert fingerprint(world.sessions) != before  # the writes happened...
        undone = undo_writes(world, marks)
        assert undone["interactions"] == len(heavy) + 1  # the timed writes and the warm-up
        assert fingerprint(world.sessions) == before  # ...and were taken back completely
    finally:
        world.engine.dispose()


def test_cli_prints_one_table_and_writes_its_json(tmp_path, monkeypatch):
    for module in COMMAND_MODULES:  # the whole command, as `c360` builds it
        importlib.import_module(module)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    for name in ("C360_DATABASE_URL", "C360_LLM_BASE_URL", "C360_LLM_API_KEY", "C360_NOW"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        # the world exists first, so the run reuses it and the fingerprint shows what the run left
        base = get_settings()
        world = open_world(bench_settings(base, bench_database_url(base, 120)), 120)
        bench_actor(world)  # the bench's own user stays from run to run, like the world
        before = fingerprint(world.sessions)
        out = tmp_path / "bench.json"
        result = CliRunner().invoke(app, [
            "bench", "--customers", "120", "--out", str(out), "--runs", "1", "--samples", "4",
            "--agent-rounds", "1", "--clients", "2", "--http-rounds", "1", "--slack-events", "2",
            "--slack-interval", "0"])
        assert result.exit_code == 0, result.output
        after = fingerprint(world.sessions)
        world.engine.dispose()
    finally:
        get_settings.cache_clear()
    report = json.loads(out.read_text())
    assert report["world"]["customers"] == 120 and report["world"]["built_now"] is False
    assert report["columns"] == list(COLUMNS)
    assert report["machine"]["cpus"] >= 1 and len(report["machine"]["load_average"]) == 3
    assert report["duckdb"]["counts_match"] is True
    whats = [row["what"] for row in report["rows"]]
    assert whats[:len(READ_ROWS)] == READ_ROWS
    assert "log_interaction tool (one transaction each)" in whats
    assert "agent turn, in process: all turns" in whats
    assert any(w.startswith("agent turn over HTTP") and w.endswith("all turns") for w in whats)
    assert whats[-1] == "Slack event acknowledgement"
    for row in report["rows"]:
        if row["available"]:
            assert row["n"] >= 1 and row["p50_ms"] <= row["p99_ms"] and row["best_ms"] <= row["p50_ms"]
            assert row["note"] is None, row  # every measured turn did what it was asked
        else:  # HTTP and Slack may be missing from a build; then the row says why
            assert row["note"].startswith("not available") and row["ok"] is None
        assert len(cells(row)) == len(COLUMNS)
    by_name = {row["what"]: row for row in report["rows"]}
    d1, d3 = (by_name[READ_ROWS[k]]["p50_ms"] for k in (6, 8))
    rfm = [row for row in report["rows"] if row["what"].startswith("RFM")]
    assert all(row["vs_duckdb"] == pytest.approx(row["p50_ms"] / d1) for row in rfm)
    assert all(row["vs_same"] == pytest.approx(row["p50_ms"] / d3) and row["same_as"] == "D3" for row in rfm)
    # every measured c360 figure carries its ratio to the raw-orders reference of the same run
    assert all(row["vs_duckdb"] is not None for row in report["rows"]
               if row["available"] and "reference" not in row["what"])
    assert "c360 bench: 120 customers" in result.output and "load average" in result.output
    assert after == before  # every write of the run (tool, agent, HTTP, Slack) was undone
