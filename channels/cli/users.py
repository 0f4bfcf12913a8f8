"""``c360 users``: add users, list them, issue and revoke their API tokens."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from channels.cli import app
from channels.cli.runtime import runtime
from domain.enums import Role
from domain.errors import DomainError

users_app = typer.Typer(help="Users of c360 and their API tokens (for the HTTP API and the web page).",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")
err = Console(stderr=True)


def _fail(exc: DomainError) -> None:
    err.print(f"[red]error:[/red] {escape(exc.message)}")
    raise typer.Exit(1) from exc


def _show_token(name: str, token: str) -> None:
    # the token alone on stdout (TOKEN=$(c360 users add ...)); the explanation on stderr
    err.print(f"API token for [bold]{escape(name)}[/bold] (shown once: only its hash is stored):")
    typer.echo(token)


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="Full name, e.g. \"Rina Akter\" (unique)."),
    role: Role = typer.Option(Role.agent, "--role", help="agent, manager or admin."),
    slack_id: str | None = typer.Option(None, "--slack-id", help="Their Slack user id (U123...), for the Slack app."),
    email: str | None = typer.Option(None, "--email", help="Their email address."),
) -> None:
    """Create a user and print their first API token (once)."""
    from domain.db import transaction
    from domain.users import create_user, issue_token

    rt = runtime()
    try:
        with transaction(rt.sessions) as session:
            user = create_user(session, name, role.value, slack_user_id=slack_id, email=email, now=rt.clock.now())
            issued = issue_token(session, user, now=rt.clock.now())
    except DomainError as exc:
        _fail(exc)
    err.print(f"added {escape(user.name)} ({user.role.value})")
    _show_token(user.name, issued.token)


@users_app.command("list")
def list_() -> None:
    """List the users: role, Slack id, active, live tokens."""
    from domain.users import list_users

    rt = runtime()
    with rt.sessions() as session:
        users = list_users(session)
    table = Table("id", "name", "role", "slack id", "email", "active", "live tokens")
    for u in users:
        table.add_row(str(u.id), u.name, u.role.value, u.slack_user_id or "", u.email or "",
                      "yes" if u.is_active else "no", str(u.live_tokens))
    Console().print(table)


@users_app.command("token")
def token(name: str = typer.Argument(..., help="The user's name.")) -> None:
    """Issue another API token for a user (their other tokens stay valid)."""
    from domain.db import transaction
    from domain.users import find_user, issue_token

    rt = runtime()
    try:
        with transaction(rt.sessions) as session:
            issued = issue_token(session, find_user(session, name), now=rt.clock.now())
    except DomainError as exc:
        _fail(exc)
    _show_token(issued.user.name, issued.token)


@users_app.command("revoke-token")
def revoke_token(
    name: str = typer.Argument(..., help="The user's name."),
    token_value: str | None = typer.Option(None, "--token", help="Revoke only this token; default: all of theirs."),
) -> None:
    """Revoke a user's API tokens: requests with them get 401 from now on."""
    from domain.db import transaction
    from domain.users import find_user, revoke_tokens

    rt = runtime()
    try:
        with transaction(rt.sessions) as session:
            user = find_user(session, name)
            count = revoke_tokens(session, user, now=rt.clock.now(), token=token_value)
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"revoked {count} token{'s' if count != 1 else ''} of {user.name}")
