"""``c360 serve``: upgrade the schema, then run the HTTP API, the web page (and Slack, when configured)."""
from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path

import typer

from channels.cli import app
from channels.cli.runtime import runtime


WORKER_LOG_LEVEL = "C360_SERVE_LOG_LEVEL"  # not a setting: how `c360 serve` tells its workers


def worker_app():
    """The app of one worker process (``uvicorn --workers`` imports this factory in each child)."""
    from channels.http.app import create_app
    from domain.logs import configure_logging

    configure_logging(os.environ.get(WORKER_LOG_LEVEL, "info"))  # a spawned child starts without handlers
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return create_app()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def start_alert_worker(rt, settings):
    """The alert outbox's worker in a daemon thread (docs/alerts.md), unless C360_ALERT_WORKER=false;
    returns it (None when it does not run)."""
    if not settings.alert_worker:
        return None
    from channels.alerts.worker import AlertWorker

    worker = AlertWorker(settings, rt.sessions, rt.clock)
    if not worker.senders:  # the outbox keeps them until Slack or a webhook is configured
        typer.echo("alerts: recorded, not delivered (set C360_SLACK_BOT_TOKEN or C360_WEBHOOK_URLS)", err=True)
        return None
    worker.start()
    return worker


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default C360_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port (default C360_PORT, 8360)."),
    reload: bool = typer.Option(False, "--reload", help="Restart when the code changes (development)."),
    demo: bool | None = typer.Option(
        None, "--demo/--no-demo",
        help="Demo mode: the web page gets a token for the 'Demo Agent' user by itself (GET /demo-token, loopback "
             "clients only). Default C360_DEMO_MODE (off). Only with a loopback --host."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
    workers: int | None = typer.Option(
        None, "--workers", min=1,
        help="Server processes (default C360_WORKERS, 1). More than one needs PostgreSQL: the processes share "
             "conversation locks, the chat rate limit and the daily jobs' leader through it."),
) -> None:
    """Serve c360 over HTTP: POST /chat, the read endpoints, the web chat page at /, and /docs."""
    import uvicorn

    from channels.cli.admin import start_daily_refresh
    from channels.http.app import create_app
    from domain.db import transaction, upgrade_schema
    from domain.demo.content import SHOP as DEMO_SHOP
    from domain.logs import configure_logging
    from domain.users import ensure_demo_user

    rt = runtime()
    updates = {k: v for k, v in (("host", host), ("port", port), ("demo_mode", demo), ("workers", workers))
               if v is not None}
    if demo and not rt.settings.business_name:
        updates["business_name"] = DEMO_SHOP  # the demo world's shop signs its drafts
    settings = rt.settings.model_copy(update=updates)
    if settings.demo_mode and not _loopback(settings.host):
        typer.echo(f"error: demo mode serves tokens without a password, so it only listens on a loopback address "
                   f"(127.0.0.1), not {settings.host}", err=True)
        raise typer.Exit(2)
    if settings.workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        typer.echo(f"error: --workers {settings.workers} needs PostgreSQL: SQLite is one process's database, and the "
                   f"processes share conversation locks, the chat rate limit and the daily jobs through the database. "
                   f"Set C360_DATABASE_URL to a PostgreSQL URL (postgresql+psycopg://user@host:5432/c360), "
                   f"or serve with --workers 1", err=True)
        raise typer.Exit(2)
    if settings.workers > 1 and reload:
        typer.echo("error: --reload runs one process: use it without --workers", err=True)
        raise typer.Exit(2)
    configure_logging(log_level)  # no phone, email or message text in any line; request and turn ids on each
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise here
    upgrade_schema(settings.resolved_database_url)
    if settings.demo_mode:
        with transaction(rt.sessions) as session:
            ensure_demo_user(session, now=rt.clock.now())
    start_daily_refresh(rt)  # temperatures and stages move with the date, not only with writes
    start_alert_worker(rt, settings)  # one per `c360 serve`; leased claims keep several workers exactly-once
    typer.echo(f"c360 on http://{settings.host}:{settings.port}/  (API docs: /docs)"
               + (f", {settings.workers} worker processes" if settings.workers > 1 else ""), err=True)
    if reload or settings.workers > 1:
        # the reloader and the workers import the app in child processes: hand them the settings
        # through the environment
        for key, value in updates.items():
            os.environ[f"C360_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
        os.environ[WORKER_LOG_LEVEL] = log_level
    if settings.workers > 1:
        uvicorn.run("channels.cli.serve:worker_app", factory=True, workers=settings.workers, host=settings.host,
                    port=settings.port, log_level=log_level, log_config=None)
        return
    if reload:
        root = Path(__file__).resolve().parents[2]
        code = [str(root / name) for name in ("agent", "tools", "domain", "channels", "prompts") if (root / name).is_dir()]
        uvicorn.run("channels.http.app:create_app", factory=True, reload=True, reload_dirs=code,
                    reload_includes=["*.py", "*.md", "*.html", "*.js", "*.css"], host=settings.host,
                    port=settings.port, log_level=log_level, log_config=None)
        return
    # log_config=None: uvicorn's loggers go through the handler configured above
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level, log_config=None)
