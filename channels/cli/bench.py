"""``c360 bench``: the performance figures of issues 2 and 6 in one table, and as JSON."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from channels.cli import app
from channels.cli.runtime import runtime
from domain.errors import DomainError

console = Console(stderr=True)


@app.command("bench")
def bench(
    customers: int = typer.Option(100_000, "--customers", "-n", min=1,
                                  help="Customers in the benchmark world (about 10 orders and 10 interactions each)."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL to measure on (default: the bench's own SQLite file "
                           "<data_dir>/bench/c360-N.db, built once and reused). A database holding another number "
                           "of customers is only wiped with --rebuild."),
    out: Path | None = typer.Option(None, "--out", help="Write the table as JSON here "
                                                         "(default: bench-results/bench-N.json)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build the world again even when it can be reused."),
    seed: int = typer.Option(42, "--seed", help="Random seed of the demo world."),
    runs: int = typer.Option(10, "--runs", min=1, help="Timings of each whole-population read (call priority, "
                                                      "RFM, DuckDB)."),
    samples: int = typer.Option(200, "--samples", min=1, help="Heavy customers for the 360 rows, and "
                                                              "log_interaction writes."),
    agent_rounds: int = typer.Option(10, "--agent-rounds", min=1, help="In-process conversations "
                                                                       "(4 turns each)."),
    clients: int = typer.Option(4, "--clients", min=1, max=32, help="Concurrent HTTP clients."),
    http_rounds: int = typer.Option(5, "--http-rounds", min=1, help="Conversations per HTTP client, at most."),
    http_seconds: float = typer.Option(120.0, "--http-seconds", min=1, help="Stop the HTTP clients after this "
                                                                            "long."),
    slack_events: int = typer.Option(40, "--slack-events", min=1, help="Signed Slack events to acknowledge."),
    slack_interval: float = typer.Option(0.5, "--slack-interval", min=0, help="Seconds between Slack events."),
) -> None:
    """Measure call priority, RFM (against DuckDB), the 360 view, log_interaction, agent turns in process
    and over HTTP, and Slack acknowledgements, on one world with a frozen date; print one table."""
    from evals.bench import BenchOptions, render_table, run_bench

    options = BenchOptions(customers=customers, database_url=db, rebuild=rebuild, seed=seed, runs=runs,
                           samples=samples, agent_rounds=agent_rounds, clients=clients, http_rounds=http_rounds,
                           http_seconds=http_seconds, slack_events=slack_events, slack_interval=slack_interval)
    try:
        report = run_bench(runtime().settings, options, on_step=lambda m: console.print(f"[dim]{escape(m)}[/dim]"),
                           on_build=_BuildProgress())
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    Console(width=max(Console().width, 150)).print(render_table(report))
    target = out or Path("bench-results") / f"bench-{customers}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    console.print(f"written: {target}")


class _BuildProgress:
    """Prints each build step once, when it starts (a world of 100,000 takes minutes to build)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.seen:
            self.seen.add(step)
            console.print(f"[dim]building: {escape(step.replace('_', ' '))} ({total:,})[/dim]")
