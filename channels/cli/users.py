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


def _show_user(user, changed: bool) -> None:
    state = "active" if user.is_active else "inactive"
    typer.echo(f"{user.name}: {user.role.value}, Slack {user.slack_user_id or 'not linked'}, "
               f"email {user.email or 'none'}, {state}" + ("" if changed else " (unchanged)"))


@users_app.command("link")
def link(
    name: str = typer.Argument(..., help="The user's name."),
    slack_id: str = typer.Option(..., "--slack-id", help="Their Slack member id (U0123ABCD); none unlinks."),
) -> None:
    """Link an existing user to their Slack account, so Slack knows them and they get DMs."""
    update(name, role=None, slack_id=slack_id, email=None, active=None)


@users_app.command("update")
def update(
    name: str = typer.Argument(..., help="The user's name."),
    role: Role | None = typer.Option(None, "--role", help="agent, manager or admin."),
    slack_id: str | None = typer.Option(None, "--slack-id", help="Their Slack member id (U0123ABCD); none unlinks."),
    email: str | None = typer.Option(None, "--email", help="Their email address; none removes it."),
    active: bool | None = typer.Option(None, "--active/--inactive", help="An inactive user cannot sign in or get alerts."),
) -> None:
    """Change a user's role, Slack id, email or active flag (only the options given)."""
    from domain.db import transaction
    from domain.users import UNCHANGED, find_user, update_user

    rt = runtime()
    changes = {key: value for key, value in (
        ("role", role.value if role else None), ("slack_user_id", slack_id),
        ("email", "" if email is not None and email.lower() == "none" else email), ("active", active))
        if value is not None}
    try:
        with transaction(rt.sessions) as session:
            before = find_user(session, name)
            was = (before.role, before.slack_user_id, before.email, before.is_active)
            user = update_user(session, name, now=rt.clock.now(), **{k: changes.get(k, UNCHANGED) for k in
                                                                    ("role", "slack_user_id", "email", "active")})
    except DomainError as exc:
        _fail(exc)
    _show_user(user, (user.role.value, user.slack_user_id, user.email, user.is_active) != was)


@users_app.command("sync-slack")
def sync_slack(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report the matches, link nobody."),
) -> None:
    """Link users to Slack members with the same email (users.list; needs the users:read.email scope)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from domain.db import transaction
    from domain.slack_members import member_from_slack, sync_members

    rt = runtime()
    if not rt.settings.slack_bot_token:
        err.print("[red]error:[/red] C360_SLACK_BOT_TOKEN is not set: the workspace's members are read with the bot token")
        raise typer.Exit(2)
    client = WebClient(token=rt.settings.slack_bot_token.get_secret_value(), base_url=rt.settings.slack_api_url)
    members, cursor = [], None
    try:
        while True:
            page = client.users_list(limit=200, cursor=cursor)
            members += [member_from_slack(m) for m in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as exc:
        err.print(f"[red]error:[/red] Slack said {escape(str(exc.response.get('error')))}")
        raise typer.Exit(1) from exc
    try:
        with transaction(rt.sessions) as session:
            report = sync_members(session, members, now=rt.clock.now(), dry_run=dry_run)
    except DomainError as exc:
        _fail(exc)
    verb = "would link" if dry_run else "linked"
    typer.echo(f"{len(members)} Slack members; {verb} {len(report.linked)}, already linked {len(report.already)}, "
               f"not matched {len(report.not_found) + len(report.no_email) + len(report.conflicts)}")
    for title, lines in ((verb, report.linked), ("no Slack member with their email", report.not_found),
                         ("no email in c360 (c360 users update NAME --email ...)", report.no_email),
                         ("Slack id already taken", report.conflicts)):
        for line in lines:
            typer.echo(f"  {title}: {line}")
