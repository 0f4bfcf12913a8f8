"""``c360 load-test``: simulated users chatting with ``c360 serve`` on loopback; no 5xx, no lost writes."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from channels.cli import app
from domain.errors import DomainError

console = Console(stderr=True)


@app.command("load-test")
def load_test(
    users: int = typer.Option(20, "--users", "-u", min=1, max=200, help="Concurrent simulated users (agents)."),
    seconds: float = typer.Option(60.0, "--seconds", "-s", min=1, max=3600, help="How long they chat."),
    max_requests: int = typer.Option(20_000, "--max-requests", min=5,
                                     help="Stop earlier once all users together sent this many requests."),
    customers: int = typer.Option(2_000, "--customers", "-n", min=20, help="Customers in the demo world."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL to run on (e.g. an empty PostgreSQL database); default: a SQLite file in "
                           "a fresh data directory. A database holding another number of customers is refused."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="A new or empty directory for the database, "
                                                                  "the checkpoints and the server log (default: "
                                                                  "a temporary one, removed after a passing run)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the temporary data directory after a passing run."),
    rate_limit: int = typer.Option(600, "--rate-limit", min=0,
                                   help="C360_CHAT_RATE_LIMIT_PER_MINUTE for the server (0: none). Clients "
                                        "honour a 429's Retry-After; waiting is reported."),
    cancel_every: int = typer.Option(5, "--cancel-every", min=0,
                                     help="Cancel every n-th proposed write instead of approving it (0: never)."),
    double_every: int = typer.Option(7, "--double-every", min=0,
                                     help="Send every n-th approval twice at once, like a double click; it must "
                                          "write once (0: never)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes (`c360 serve --workers`; more than "
                                                               "one needs --db on PostgreSQL)."),
    out: Path | None = typer.Option(None, "--out", help="Also write the report as JSON here."),
) -> None:
    """Start `c360 serve` on a fresh demo world on 127.0.0.1 and let USERS agents chat with it for SECONDS
    (call list, a 360, a WhatsApp draft, a logged call and its approval); then check that there was no
    5xx and that every acknowledged write is in the database exactly once. Exits 1 when a check fails."""
    from domain.settings import get_settings
    from evals.load import LoadOptions, render_report, run_load_test

    options = LoadOptions(users=users, seconds=seconds, max_requests=max_requests, customers=customers,
                          database_url=db, data_dir=data_dir, keep=keep, rate_limit_per_minute=rate_limit,
                          cancel_every=cancel_every, double_every=double_every, workers=workers)
    try:
        report = run_load_test(get_settings(), options, on_step=lambda m: console.print(f"[dim]{escape(m)}[/dim]"))
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    for line in render_report(report):
        typer.echo(line)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        console.print(f"written: {out}")
    if not report["ok"]:
        if report["settings"].get("data_dir"):
            console.print(f"kept for inspection: {report['settings']['data_dir']}")
        raise typer.Exit(1)
