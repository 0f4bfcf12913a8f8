"""Data commands: ``c360 demo-data`` builds the demo world, ``c360 import`` loads CSV files."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from channels.cli import app
from channels.cli.runtime import runtime
from domain.errors import DomainError
from domain.import_columns import COLUMNS

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


class _Bars:
    """One bar per step, created the first time the step reports."""

    def __init__(self, progress: Progress):
        self.progress, self.tasks = progress, {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step.replace("_", " "), total=total)
        self.progress.update(self.tasks[step], advance=done, total=total)


@app.command("demo-data")
def demo_data(
    customers: int = typer.Option(2000, "--customers", "-n", min=1, help="How many customers to create."),
    seed: int = typer.Option(
        42, "--seed", help="Random seed: the same seed on the same day gives the same world."
    ),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing when the database already has customers."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Delete all customers and their records (team and catalogue stay), then build the world.",
    ),
    orders: float = typer.Option(10.0, "--orders-per-customer", help="Average orders per customer."),
    interactions: float = typer.Option(
        10.0, "--interactions-per-customer", help="Average interactions per customer."
    ),
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: C360_DATABASE_URL or the local SQLite file)."
    ),
) -> None:
    """Build a realistic demo world of a Bangladeshi retailer: customers, two years of orders, calls and
    messages, families, consent, drop-offs, loyalty, tickets, B2B deals, templates and a team of three
    agents, a manager and an admin."""
    from sqlalchemy import func, select

    from domain.clv import fit_from_orders
    from domain.db import transaction
    from domain.demo import build_demo_world
    from domain.models import Customer

    rt = runtime()
    if db:
        rt.settings = rt.settings.model_copy(update={"database_url": db})
    with rt.sessions() as session:
        existing = session.scalar(select(func.count()).select_from(Customer))
    if existing and if_empty:
        typer.echo(f"the database already has {existing} customers; nothing to do")
        return
    try:
        with _progress() as progress:
            summary = build_demo_world(
                rt.engine,
                clock=rt.clock,
                customers=customers,
                seed=seed,
                orders_per_customer=orders,
                interactions_per_customer=interactions,
                replace=replace,
                on_progress=_Bars(progress),
            )
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    rows = summary.rows
    typer.echo(
        f"demo world for {rt.clock.today()} (seed {seed}) in {summary.seconds:.1f} s: "
        f"{rows['customers']:,} customers, {rows['orders']:,} orders, {rows['interactions']:,} interactions, "
        f"{rows['family_members']:,} family members, {rows['dropoffs']:,} drop-offs, "
        f"{rows['behavior_events']:,} behaviour events"
    )
    typer.echo("segments: " + ", ".join(f"{k} {v:,}" for k, v in summary.segments.items()))
    typer.echo("temperature: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.temperatures.items())))
    typer.echo("team: Rina Akter, Karim Hasan, Sadia Islam (agents), Farhana Chowdhury (manager), Admin")
    # The 360 view reads a stored CLV fit and never fits inside a request: fit once, here.
    with transaction(rt.sessions) as session:
        model = fit_from_orders(session, rt.clock.today(), tz=rt.settings.tz, currency=rt.settings.currency)
    typer.echo(f"CLV model fitted ({model.method}, {model.customers:,} customers)")


class ImportKind(str, Enum):
    customers = "customers"
    orders = "orders"
    interactions = "interactions"


def _columns_help() -> str:
    parts = []
    for kind, columns in COLUMNS.items():
        described = "; ".join(f"{name} ({text})" if text else name for name, text in columns.items())
        parts.append(f"{kind}: {described}.")
    return "\n\n".join(parts)


@app.command(
    "import",
    help=(
        "Import a UTF-8 CSV file of customers, orders or interactions. Every row is checked first; if any row is "
        "bad, every problem is listed (row number, column, what is wrong) and nothing is imported. Re-importing "
        "the same file does not duplicate anything. Orders and interactions name their customer by customer_id, "
        "customer_key (external_key), customer_phone or customer_email. Columns (see docs/import.md):\n\n"
        + _columns_help()
    ),
)
def import_file(
    kind: ImportKind = typer.Argument(..., help="What the file holds: customers, orders or interactions."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    max_errors: int = typer.Option(50, "--max-errors", min=1, help="List at most this many problems."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: C360_DATABASE_URL or the local SQLite file)."
    ),
) -> None:
    from domain.db import transaction
    from domain.importer import ImportFailed, import_csv

    rt = runtime()
    if db:
        rt.settings = rt.settings.model_copy(update={"database_url": db})
    try:
        with _progress() as progress, transaction(rt.sessions) as session:
            result = import_csv(
                session,
                kind.value,
                file,
                clock=rt.clock,
                region=rt.settings.phone_region,
                max_errors=max_errors,
                on_progress=_Bars(progress),
            )
    except ImportFailed as failed:
        for error in failed.errors:
            console.print(f"[red]{escape(str(error))}[/red]")
        more = failed.total - len(failed.errors)
        console.print(
            f"{failed.total} problem(s){f' ({more} more not shown)' if more > 0 else ''}; "
            "nothing was imported. Fix the file and run the import again."
        )
        raise typer.Exit(1) from failed
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    typer.echo(
        f"{kind.value}: {result.rows} rows, {result.created} created, {result.updated} updated, "
        f"{result.skipped} already imported"
    )
