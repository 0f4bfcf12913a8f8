"""Saved segments: list, show members, create and delete (managers), export as CSV or JSON."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import NoReturn

import typer

from channels.cli import app
from channels.cli.chat import AS_HELP, _actor
from channels.cli.runtime import runtime
from domain.errors import DomainError

segment_app = typer.Typer(
    help="Saved segments (named criteria over customers; not the RFM segments).", no_args_is_help=True
)
app.add_typer(segment_app, name="segment")

CRITERIA_HELP = ('The criteria as a JSON object, e.g. \'{"city": ["Dhaka"], "tag": ["eid-shopper"], '
                 '"ltv_min": 5000}\'. Fields: rfm_segment, temperature, lifecycle_stage, city, tag, '
                 'last_order_days_min, last_order_days_max, ltv_min, ltv_max.')
EXPORT_COLUMNS = ("customer_id", "name", "city", "phone", "email", "temperature", "lifecycle_stage",
                  "order_count", "ltv", "days_since_last_order", "tags")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _manager(rt, as_user: str | None):
    actor = _actor(rt, as_user)
    if not actor.is_manager:
        _fail(f"{actor.name} is an agent; only a manager or an admin creates or deletes saved segments")
    return actor


@segment_app.command("list")
def segment_list(as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP)) -> None:
    """The saved segments with their member counts and criteria."""
    _print_tool(None, as_user, 1)


@segment_app.command("members")
def segment_members(
    name: str = typer.Argument(..., help="The saved segment's name (any case)."),
    limit: int = typer.Option(20, "--limit", min=1, max=500),
    offset: int = typer.Option(0, "--offset", min=0),
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
) -> None:
    """Who is in a saved segment, highest lifetime value first (the saved_segment tool)."""
    _print_tool(name, as_user, limit, offset)


def _print_tool(name: str | None, as_user: str | None, limit: int, offset: int = 0) -> None:
    from tools.context import ToolContext
    from tools.registry import call_tool

    rt = runtime()
    ctx = ToolContext(sessions=rt.sessions, actor=_actor(rt, as_user), clock=rt.clock, settings=rt.settings,
                      request_id="cli:saved_segment")
    args = {"limit": limit, "offset": offset} | ({"name": name} if name is not None else {})
    result = call_tool("saved_segment", args, ctx)
    if not result.ok:
        _fail(result.message)
    typer.echo(result.text)


@segment_app.command("create")
def segment_create(
    name: str = typer.Argument(..., help="A name that is not an RFM segment's (those are fixed)."),
    criteria: str = typer.Option(..., "--criteria", help=CRITERIA_HELP),
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
) -> None:
    """Create a saved segment and compute its members (managers and admins)."""
    from domain.db import transaction
    from domain.segments import create_segment, describe_criteria

    rt = runtime()
    actor = _manager(rt, as_user)
    try:
        parsed = json.loads(criteria)
    except json.JSONDecodeError as exc:
        _fail(f"--criteria is not JSON ({exc.msg} at character {exc.pos}); give an object such as "
              '\'{"temperature": ["hot"]}\'')
    try:
        with transaction(rt.sessions) as session:
            info = create_segment(session, name, parsed, rt.clock.today(), tz=rt.settings.tz,
                                  thresholds=rt.settings.rfm_monetary_thresholds, user_id=actor.id)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"saved segment {info.name!r} created: {info.members} member{'' if info.members == 1 else 's'} "
               f"({describe_criteria(info.criteria, rt.settings.currency)})")


@segment_app.command("delete")
def segment_delete(
    name: str = typer.Argument(..., help="The saved segment's name."),
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
) -> None:
    """Delete a saved segment (managers and admins); customers are not touched."""
    from domain.db import transaction
    from domain.segments import delete_segment

    rt = runtime()
    actor = _manager(rt, as_user)
    try:
        with transaction(rt.sessions) as session:
            info = delete_segment(session, name, user_id=actor.id)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"saved segment {info.name!r} deleted ({info.members} members)")


def export_rows(sessions, actor, settings, today, name: str) -> list[dict]:
    """Every member as a row for a file: phone and email only where ``actor`` may see them in full."""
    from domain.segments import segment_members_of
    from tools.access import can_see_contact

    with sessions() as session:
        _, rows = segment_members_of(session, name, today, tz=settings.tz)
    out = []
    for row in rows:
        visible = can_see_contact(actor, row.assigned_to_id, settings)
        out.append({
            "customer_id": row.customer_id, "name": row.name, "city": row.city,
            "phone": row.phone if visible else None, "email": row.email if visible else None,
            "temperature": row.temperature, "lifecycle_stage": row.lifecycle_stage,
            "order_count": row.order_count, "ltv": f"{row.ltv:.2f}",
            "days_since_last_order": row.days_since_last_order, "tags": " ".join(row.tags),
        })
    return out


@segment_app.command("export")
def segment_export(
    name: str = typer.Argument(..., help="The saved segment's name."),
    csv: bool = typer.Option(False, "--csv", help="CSV (spreadsheet-safe) instead of JSON lines."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (0600) instead of stdout."),
    force: bool = typer.Option(False, "--force", help="Replace the --out file if it exists."),
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
) -> None:
    """Every member of a saved segment. Cells that a spreadsheet would run as a formula (starting
    with =, +, -, @) are neutralised; phone and email are filled in only for customers the acting
    user may see them of."""
    from domain.files import write_private
    from domain.spreadsheet import write_csv

    rt = runtime()
    actor = _actor(rt, as_user)
    try:
        rows = export_rows(rt.sessions, actor, rt.settings, rt.clock.today(), name)
    except DomainError as exc:
        _fail(exc.message)
    buffer = io.StringIO()
    if csv:
        write_csv(buffer, EXPORT_COLUMNS, rows)
    else:
        buffer.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    try:
        write_private(out, buffer.getvalue(), force=force)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"{len(rows)} members written to {out}", err=True)
