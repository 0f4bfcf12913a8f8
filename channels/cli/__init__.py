"""The ``c360`` command. Each command group lives in its own module and registers itself on ``app``."""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="c360",
    help="c360: the Customer 360 assistant. Run `c360 COMMAND --help` for any command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

@app.callback()
def _private_files() -> None:
    """Every file a command creates (database, conversations, backups, exports) is 0600, every folder 0700."""
    from domain.files import private_umask

    private_umask()


# Modules that add commands to ``app`` when imported.
COMMAND_MODULES = [
    "channels.cli.admin",
    "channels.cli.alerts",
    "channels.cli.clv",
    "channels.cli.data",
    "channels.cli.evals",
    "channels.cli.privacy",
    "channels.cli.segments",
    "channels.cli.serve",
    "channels.cli.users",
    "channels.cli.chat",
    "channels.cli.slack",
    "channels.cli.bench",
    "channels.cli.bench_llm",
    "channels.cli.load",
    "channels.cli.mcp",
]


def main() -> None:
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    app()
