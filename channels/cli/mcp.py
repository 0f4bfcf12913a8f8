"""``c360 mcp``: c360's tools for an MCP client (desktop assistant, IDE, agent) over stdio."""
from __future__ import annotations

import logging

import typer

from channels.cli import app
from channels.cli.chat import AS_HELP, _actor
from channels.cli.runtime import runtime


@app.command("mcp")
def mcp(
    as_user: str | None = typer.Option(None, "--as", envvar="C360_CLI_USER", help=AS_HELP),
    log_level: str = typer.Option("warning", "--log-level", help="debug, info, warning or error (to stderr)."),
) -> None:
    """Serve c360's tools over MCP on stdin/stdout, acting as one user. Reads answer at once; every
    write asks the user in the client (elicitation) or waits for confirm_write with its proposal id."""
    import anyio
    from mcp.server.stdio import stdio_server

    from channels.mcp.server import build_server
    from domain.logs import configure_logging

    configure_logging(log_level)  # stderr only: stdout carries the protocol
    logging.getLogger("alembic").setLevel(logging.WARNING)
    rt = runtime()
    actor = _actor(rt, as_user)
    server = build_server(rt.settings, rt.sessions, rt.clock, lambda ctx: actor)

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(serve)
