"""``c360 chat`` (a conversation in the terminal) and ``c360 ask`` (one turn, for scripts)."""
from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from channels.cli import app
from channels.cli.runtime import Runtime, runtime
from domain.errors import DomainError

if TYPE_CHECKING:  # the agent, the tools and the HTTP schemas load when a command runs, not for --help
    from tools.context import Actor

AS_HELP = "Act as this user (name); default C360_CLI_USER, else the oldest admin."
err = Console(stderr=True)


def _actor(rt: Runtime, name: str | None) -> Actor:
    from domain.enums import Role
    from domain.users import default_user, find_user
    from tools.context import Actor

    try:
        with rt.sessions() as session:
            user = find_user(session, name) if name else default_user(session)
    except DomainError as exc:
        err.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    if not user.is_active:
        err.print(f"[red]error:[/red] {escape(user.name)} is not an active user")
        raise typer.Exit(1)
    return Actor(id=user.id, name=user.name, role=Role(user.role))


def _agent(rt: Runtime):
    from agent.runner import Agent

    return Agent(rt.settings, rt.sessions, rt.clock)


def _thread(actor: Actor) -> str:
    return f"cli-{actor.id}-{secrets.token_urlsafe(9)}"


@app.command("ask")
def ask(
    message: str = typer.Argument(..., help="What to ask, e.g. \"who should I call today?\""),
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
    yes: bool = typer.Option(False, "--yes", "-y", help="Approve any write the turn proposes."),
    as_json: bool = typer.Option(False, "--json", help="Print the turn result as JSON (the HTTP API's shape)."),
) -> None:
    """One turn with the assistant. A proposed write is only made with --yes (otherwise it is cancelled)."""
    from channels.cli.cards import show_turn
    from channels.http.schemas import to_response

    rt = runtime()
    actor = _actor(rt, as_user)
    agent = _agent(rt)
    thread_id = _thread(actor)
    try:
        turns = [agent.run_turn(thread_id, actor, message)]
        while turns[-1].pending is not None:  # a turn may propose several writes, one after another
            turns.append(agent.resume(thread_id, actor, "approve" if yes else "cancel"))
            if not yes:
                break
    finally:
        agent.close()
    if as_json:
        # the first turn shows what was proposed; the last what happened to it
        payload = [to_response(t).model_dump(mode="json") for t in turns]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else {**payload[-1], "steps": payload},
                              ensure_ascii=False, indent=2))
        return
    console = Console()
    for turn in turns:
        show_turn(console, to_response(turn))
    if len(turns) > 1 and not yes:
        err.print("not written: run again with --yes to approve")


# "[y]" would be read as Rich markup (and vanish): the brackets are escaped
APPROVAL_PROMPT = "[bold yellow]approve?[/] \\[y]es / \\[n]o / \\[e]dit > "


def _decide(console: Console) -> tuple[str, dict]:
    while True:
        answer = console.input(APPROVAL_PROMPT).strip().lower()
        if answer in ("y", "yes"):
            return "approve", {}
        if answer in ("n", "no", "c", "cancel"):
            return "cancel", {}
        if answer in ("e", "edit"):
            raw = console.input("changes as field=value, separated by ';' (e.g. outcome=callback) > ")
            changes = dict(part.split("=", 1) for part in raw.split(";") if "=" in part)
            changes = {k.strip(): v.strip() for k, v in changes.items() if k.strip()}
            if changes:
                return "edit", changes
            console.print("no changes given; answer y, n or e")
        else:
            console.print("answer y, n or e")


@app.command("chat")
def chat(as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP)) -> None:
    """Talk to the assistant in the terminal; cards are tables; writes ask y/n first. Ctrl-D or 'quit' ends."""
    from channels.cli.cards import show_turn
    from channels.http.schemas import to_response

    rt = runtime()
    actor = _actor(rt, as_user)
    agent = _agent(rt)
    console = Console()
    thread_id = _thread(actor)
    console.print(f"c360 · you are {escape(actor.name)} ({actor.role.value}) · 'quit' to leave")
    try:
        while True:
            try:
                text = console.input("[bold]you>[/] ").strip()
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
            if text.lower() in ("quit", "exit", "bye"):
                break
            if not text:
                continue
            turn = agent.run_turn(thread_id, actor, text)
            show_turn(console, to_response(turn))
            while turn.pending is not None:
                try:
                    decision, changes = _decide(console)
                except (EOFError, KeyboardInterrupt):
                    decision, changes = "cancel", {}
                turn = agent.resume(thread_id, actor, decision, changes or None)
                show_turn(console, to_response(turn))
    finally:
        agent.close()
