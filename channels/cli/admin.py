"""Database administration commands."""
from __future__ import annotations

import typer

from channels.cli import app
from channels.cli.runtime import runtime
from domain.db import upgrade_schema

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or upgrade the database schema (the server also does this on start)."""
    settings = runtime().settings
    upgrade_schema(settings.resolved_database_url, revision)
    typer.echo(f"schema at {revision}: {settings.resolved_database_url}")
