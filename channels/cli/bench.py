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


bench_app = typer.Typer(help="Measure c360 on a benchmark world: `c360 bench` the whole table; "
                                  "`startup`, `view`, `refresh` one figure each.", no_args_is_help=False)
app.add_typer(bench_app, name="bench")


@bench_app.callback(invoke_without_command=True)
def bench(
    ctx: typer.Context,
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
    if ctx.invoked_subcommand is not None:
        return
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


def _world(customers: int, db: str | None, rebuild: bool = False):
    from evals.bench.world import bench_database_url, bench_settings, open_world

    base = runtime().settings
    url = db or bench_database_url(base, customers)
    console.print(f"[dim]world: {customers:,} customers in {escape(url)}[/dim]")
    try:
        return open_world(bench_settings(base, url), customers, rebuild=rebuild, own_database=db is None,
                          on_progress=_BuildProgress())
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc


def _print(title: str, report: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{title} · load {report['load_before']} -> {report['load_after']} (1, 5, 15 min)")
    table.add_column("what")
    table.add_column("figure", justify="right")
    for what, figure in report["rows"]:
        table.add_row(escape(str(what)), f"{figure:,}" if isinstance(figure, int) else str(figure))
    Console(width=max(Console().width, 110)).print(table)


CUSTOMERS = typer.Option(100_000, "--customers", "-n", min=1, help="Customers in the benchmark world.")
DB = typer.Option(None, "--db", help="Database URL (default: the bench's own SQLite file for --customers).")


@bench_app.command("startup")
def bench_startup(
    customers: int = typer.Option(1000, "--customers", "-n", min=1, help="Customers in the world asked about."),
    db: str | None = DB,
    question: str = typer.Option("who should I call today?", "--question", help="What `c360 ask` asks."),
    runs: int = typer.Option(3, "--runs", min=1, help="Fresh processes timed per command."),
) -> None:
    """Start-up: `c360 --help` and one offline `c360 ask`, in fresh processes, and the slowest imports."""
    from evals.bench.quick import startup
    from evals.bench.world import BENCH_USER

    from evals.bench.world import bench_actor

    world = _world(customers, db)
    bench_actor(world)  # the user the ask acts as
    url = world.database_url
    world.engine.dispose()
    _print("start-up", startup(url, BENCH_USER, question, runs))


@bench_app.command("view")
def bench_view(customers: int = CUSTOMERS, db: str | None = DB,
               samples: int = typer.Option(50, "--samples", min=2, help="Heaviest customers viewed."),
               rounds: int = typer.Option(3, "--rounds", min=1, help="Views of each one.")) -> None:
    """The 360 view of the heaviest customers: statements per view, p50 and p90 (domain and tool)."""
    from evals.bench.quick import view
    from evals.bench.reads import heavy_customers

    world = _world(customers, db)
    try:
        _print(f"360 view, {customers:,} customers, {world.engine.dialect.name}",
               view(world, heavy_customers(world, samples), rounds))
    finally:
        world.engine.dispose()


@bench_app.command("refresh")
def bench_refresh(customers: int = CUSTOMERS, db: str | None = DB,
                  runs: int = typer.Option(3, "--runs", min=1, help="Refreshes timed (each rolled back).")) -> None:
    """The daily refresh of the stored call priority (the next day, rolled back), time per stage."""
    from evals.bench.quick import refresh

    world = _world(customers, db)
    try:
        _print(f"daily refresh, {customers:,} customers, {world.engine.dialect.name}", refresh(world, runs))
    finally:
        world.engine.dispose()
