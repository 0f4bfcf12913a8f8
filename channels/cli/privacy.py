"""Data-rights and safety commands: customer export / erase, consent log, retention, backup."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import NoReturn

import typer

from channels.cli import app
from channels.cli.runtime import Runtime, runtime
from domain.errors import DomainError

customer_app = typer.Typer(
    help="A customer's data: export it, or erase it (right to be forgotten).", no_args_is_help=True
)
consent_app = typer.Typer(
    help="The consent log (every opt-in and opt-out, who and why).", no_args_is_help=True
)
retention_app = typer.Typer(
    help="Data retention: redact free text older than C360_RETENTION_DAYS_NOTES.",
    no_args_is_help=True,
)
app.add_typer(customer_app, name="customer")
app.add_typer(consent_app, name="consent")
app.add_typer(retention_app, name="retention")


def _fail(exc: DomainError) -> NoReturn:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code=1)


def _write(text: str, out: Path | None, what: str, force: bool = False) -> None:
    from domain.files import write_private

    if out is None:
        sys.stdout.write(text)
        return
    try:
        write_private(out, text, force=force)  # 0600, never through a symlink, no overwrite without --force
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"{what} written to {out}", err=True)


FORCE_HELP = "Replace the --out file if it exists (a symbolic link is never followed)."


@customer_app.command("export")
def customer_export(
    customer_id: int = typer.Argument(..., help="The customer's id."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the JSON to this file instead of stdout."
    ),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Everything held about a customer and their family, as one JSON document."""
    from domain.privacy import export_customer

    rt = runtime()
    try:
        with rt.sessions() as session:
            document = export_customer(session, customer_id, now=rt.clock.now())
    except DomainError as exc:
        _fail(exc)
    _write(json.dumps(document, ensure_ascii=False, indent=2) + "\n", out, "export", force)


@customer_app.command("erase")
def customer_erase(
    customer_id: int = typer.Argument(..., help="The customer's id."),
    reason: str = typer.Option(
        ..., "--reason", help="Why (for example: the customer asked on 2026-11-20)."
    ),
    acting: str = typer.Option(..., "--as", help="Your c360 user name; only an admin may erase."),
) -> None:
    """Erase a customer and their family (admin only). Orders and amounts stay; personal data goes.

    Then every assistant conversation that mentions them is deleted. Running it again on an erased
    customer repeats that sweep (by id), so an interrupted run can be completed.
    """
    from domain.db import transaction
    from domain.logs import current_request_id, log_context, new_request_id
    from domain.models import User
    from domain.privacy import erase_customer, identifying_terms
    from sqlalchemy import select

    rt = runtime()
    with log_context(request_id=new_request_id()):
        try:
            with transaction(rt.sessions) as session:
                user_id = session.scalar(select(User.id).where(User.name == acting.strip()))
                if user_id is None:
                    raise DomainError(f"there is no c360 user named {acting!r}", field="as")
                # read before erasing: afterwards nothing in the database names them any more
                terms = identifying_terms(session, customer_id)
                done = erase_customer(
                    session,
                    customer_id,
                    reason=reason,
                    user_id=user_id,
                    now=rt.clock.now(),
                    request_id=current_request_id(),
                )
        except DomainError as exc:
            _fail(exc)
        removed = (
            _forget_in_index(rt.settings.data_dir, customer_id) if not done.already_erased else 0
        )
        threads = _forget_threads(rt, customer_id, terms, user_id, first=not done.already_erased)
        _scrub(rt, [table for table, n in done.changed.items() if n] + ["customers"])
    notes = [f"{removed} vector-index documents removed"] if removed else []
    if threads or not done.already_erased:
        notes.append(f"{threads} conversation threads deleted")
    typer.echo(done.describe() + "".join(f"; {note}" for note in notes))


def _forget_threads(rt: Runtime, customer_id: int, terms: list[str], user_id: int, *, first: bool) -> int:
    """Delete the conversations that mention the customer (after the erasure committed) and audit it."""
    from agent.checkpoint import forget_customer
    from domain.db import transaction
    from domain.logs import current_request_id
    from domain.privacy import record_forgotten_threads

    try:
        deleted = forget_customer(rt.settings, customer_id, terms)
    except Exception as exc:  # the database erasure stands; say how to finish the job
        typer.echo(
            f"error: customer #{customer_id} was erased, but deleting their conversation threads "
            f"failed ({type(exc).__name__}: {exc}); run the same erase command again to retry",
            err=True,
        )
        raise typer.Exit(code=1) from exc
    if deleted or first:
        with transaction(rt.sessions) as session:
            record_forgotten_threads(
                session,
                customer_id,
                deleted=deleted,
                user_id=user_id,
                now=rt.clock.now(),
                request_id=current_request_id(),
            )
    return deleted


def _scrub(rt: Runtime, tables: list[str]) -> None:
    """No recoverable old copy in the database's or the conversation store's files (WAL, free pages,
    dead rows): see ``domain.privacy.scrub``."""
    from agent.checkpoint import scrub_store
    from domain.privacy.scrub import scrub_database

    try:
        scrub_database(rt.engine, tables)
        scrub_store(rt.settings)
    except Exception as exc:  # the erasure stands; say how to finish the job
        typer.echo(f"error: the erasure is done, but compacting the database files failed "
                   f"({type(exc).__name__}: {exc}); run the same command again", err=True)
        raise typer.Exit(code=1) from exc


def _forget_in_index(data_dir: Path, customer_id: int) -> int:
    """Drop the customer's documents from the reply index, when this installation has one."""
    from domain.privacy import forget_in_index

    if not (Path(data_dir) / "chroma").is_dir():
        return 0
    from domain.retrieval import (
        reply_index,
    )  # chromadb is slow to import: only when there is an index

    return forget_in_index(reply_index(data_dir), [customer_id])


@consent_app.command("export")
def consent_export(
    customer: int | None = typer.Option(
        None, "--customer", help="Only this customer's consent log."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the CSV to this file instead of stdout."
    ),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """The consent log as CSV: customer, channel, opted in or out, source, reason, who, when."""
    from domain.files import write_private
    from domain.privacy import consent_log, write_consent_csv

    rt = runtime()
    try:
        with rt.sessions() as session:
            rows = consent_log(session, customer)
    except DomainError as exc:
        _fail(exc)
    if out is None:
        write_consent_csv(rows, sys.stdout)
        return
    buffer = io.StringIO()
    n = write_consent_csv(rows, buffer)
    try:
        write_private(out, buffer.getvalue(), force=force)
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"{n} consent changes written to {out}", err=True)


@retention_app.command("apply")
def retention_apply(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report what would be redacted."),
) -> None:
    """Redact free text (notes, summaries, reasons, searches) older than C360_RETENTION_DAYS_NOTES days."""
    from agent.checkpoint import forget_old_text
    from domain.db import transaction
    from domain.privacy import apply_retention
    from domain.privacy.retention import old_free_text

    rt = runtime()
    days, now = rt.settings.retention_days_notes, rt.clock.now()
    try:
        with transaction(rt.sessions) as session:
            # read first: the same text in stored conversations goes too
            texts = old_free_text(session, days=days, now=now) if isinstance(days, int) and days >= 1 else []
            report = apply_retention(session, days=days, now=now, dry_run=dry_run)
    except DomainError as exc:
        _fail(exc)
    threads = forget_old_text(rt.settings, texts, before=report.cutoff, dry_run=dry_run)
    if not dry_run and (report.total or threads):
        _scrub(rt, [table for table, n in report.changed.items() if n])
    verb = "would delete" if dry_run else "deleted"
    typer.echo(report.describe() + f"\n  conversation threads {verb}: {threads}")


@app.command("backup")
def backup(
    path: Path = typer.Argument(
        ..., help="The backup file to create (or a folder to put a dated one in)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the backup file if it exists (never through a "
                                                      "symbolic link)."),
) -> None:
    """Copy the SQLite database while the server runs (SQLite backup API) and check the copy.

    On PostgreSQL this explains how to use pg_dump instead.
    """
    from domain.backup import backup_sqlite

    rt = runtime()
    try:
        report = backup_sqlite(rt.settings.resolved_database_url, path, now=rt.clock.now(), force=force)
    except DomainError as exc:
        _fail(exc)
    typer.echo(report.describe())
