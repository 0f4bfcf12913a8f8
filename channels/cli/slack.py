"""``c360 digest``: DM each user with a Slack id today's call list of their customers (run it from cron)."""
from __future__ import annotations

import asyncio

import typer

from channels.cli import app
from channels.cli.runtime import runtime

slack_app = typer.Typer(help="Setting up the Slack app (docs/slack.md).", no_args_is_help=True)
app.add_typer(slack_app, name="slack")


@slack_app.command("manifest")
def manifest(
    url: str | None = typer.Option(None, "--url", help="Where Slack reaches this c360, e.g. https://c360.example.com "
                                                      "(the manifest points every request at URL/slack/events)."),
    socket_mode: bool = typer.Option(False, "--socket-mode", help="No public URL: c360 dials out to Slack "
                                                                  "(C360_SLACK_APP_TOKEN)."),
    name: str = typer.Option("c360", "--name", help="The app's name in Slack (35 characters at most)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of YAML."),
) -> None:
    """Print the app manifest: paste it into "Create New App > From a manifest"."""
    import json

    from channels.slack.manifest import manifest as build, manifest_yaml
    from domain.errors import DomainError

    try:
        text = (json.dumps(build(url, name, socket_mode=socket_mode), indent=2) + "\n" if as_json
                else manifest_yaml(url, name, socket_mode=socket_mode))
        typer.echo(text, nl=False)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


@app.command("digest")
def digest(
    force: bool = typer.Option(False, "--force", help="Send again to users who already got today's digest."),
) -> None:
    """Post each agent's call list for today as a Slack DM (needs C360_SLACK_BOT_TOKEN)."""
    from channels.slack.app import web_client
    from channels.slack.bridge import SlackBridge
    from channels.slack.digest import post_digest

    rt = runtime()
    if not rt.settings.slack_bot_token:  # unset or empty
        typer.echo("C360_SLACK_BOT_TOKEN is not set: the digest is sent through the Slack bot; set it first.",
                   err=True)
        raise typer.Exit(2)
    bridge = SlackBridge(settings=rt.settings, sessions=rt.sessions, clock=rt.clock, agent=None,
                         client=web_client(rt.settings))
    try:
        report = asyncio.run(post_digest(bridge, force=force))
    finally:
        bridge.close()
    typer.echo(f"Digest for {report.day}: sent to {len(report.sent)} user(s)"
               + (f" ({', '.join(report.sent)})" if report.sent else "")
               + (f"; {len(report.empty)} with nobody to call" if report.empty else "")
               + (f"; {len(report.already)} already had today's" if report.already else ""))
    for failure in report.failed:
        typer.echo(f"failed: {failure}", err=True)
    if report.failed:
        raise typer.Exit(1)
