"""``c360 digest``: DM each user with a Slack id today's call list of their customers (run it from cron)."""
from __future__ import annotations

import asyncio

import typer

from channels.cli import app
from channels.cli.runtime import runtime


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
