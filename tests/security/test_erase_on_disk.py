"""Break 3: after ``c360 customer erase`` no copy of the customer is left in the product's own files.

Attack: read the raw bytes of the SQLite database, its WAL and the conversation store (or, on
PostgreSQL, the raw pages of every table, index and TOAST table) and look for the erased name,
phone, email and note.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

import channels.cli.privacy  # noqa: F401  (registers the commands on the app)
from agent.runner import Agent
from channels.cli import app
from domain.clock import Clock
from domain.db import transaction
from domain.enums import Role
from domain.settings import get_settings
from tests.factories import make_customer, make_user
from tools.context import Actor

runner = CliRunner()
SECRETS = [b"Zubaida", b"Quasimodo", b"1719876543", b"zubaida@example.org", b"teal kettle"]


def hits_in_files(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in root.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            seen = [s.decode() for s in SECRETS if s in raw or s.lower() in raw.lower()]
            if seen:
                found[str(path.relative_to(root))] = seen
    return found


def hits_in_postgres(url: str) -> dict[str, list[str]]:
    """The raw pages of every relation of the database's public schema and their TOAST tables."""
    engine = create_engine(url, poolclass=NullPool)
    found: dict[str, list[str]] = {}
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        relations = conn.execute(text(
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 't', 'i') AND c.relpersistence = 'p' AND (n.nspname = 'public' OR c.oid IN "
            "(SELECT reltoastrelid FROM pg_class k JOIN pg_namespace kn ON kn.oid = k.relnamespace "
            " WHERE kn.nspname = 'public') OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN "
            "(SELECT reltoastrelid FROM pg_class k JOIN pg_namespace kn ON kn.oid = k.relnamespace "
            " WHERE kn.nspname = 'public')))")).all()
        for name, _kind in relations:
            blocks = conn.execute(text(f"SELECT pg_relation_size('{name}') / current_setting('block_size')::int")).scalar()
            for block in range(blocks):
                raw = bytes(conn.execute(text(f"SELECT get_raw_page('{name}', {block})")).scalar())
                seen = [s.decode() for s in SECRETS if s in raw or s.lower() in raw.lower()]
                if seen:
                    found.setdefault(name, []).extend(seen)
    engine.dispose()
    return found


def test_erase_leaves_no_copy_on_disk(cli_env, sessions, tmp_path):
    with transaction(sessions) as s:
        make_user(s, "Ayesha Admin", role="admin")
        rina = make_user(s, "Rina Akter")
        zubaida = make_customer(s, "Zubaida Quasimodo", phone="01719876543", email="zubaida@example.org",
                                assigned_to=rina)
        make_customer(s, "Karim Ahmed", phone="01812345678", assigned_to=rina)
        ids = {"rina": rina.id, "zubaida": zubaida.id}
    settings = get_settings()
    agent = Agent(settings, sessions, Clock.from_settings(settings))
    actor = Actor(id=ids["rina"], name="Rina Akter", role=Role.agent)
    try:
        agent.run_turn("disk-a", actor, "tell me about Zubaida Quasimodo")
        agent.run_turn("disk-b", actor, "log a call with Zubaida Quasimodo: she wants the teal kettle")
        agent.run_turn("disk-b", actor, "yes")
        agent.run_turn("disk-c", actor, "remind me to call 01719-876543")
        before = hits_in_postgres(cli_env) if cli_env.startswith("postgresql") else hits_in_files(tmp_path)
        assert before, "the world holds the customer before the erase"

        result = runner.invoke(app, ["customer", "erase", str(ids["zubaida"]), "--reason", "asked",
                                     "--as", "Ayesha Admin"])
        assert result.exit_code == 0, result.output
        if cli_env.startswith("postgresql"):
            assert hits_in_postgres(cli_env) == {}
        else:
            assert hits_in_files(tmp_path) == {}  # while the server's agent still has its stores open
    finally:
        agent.close()
    if not cli_env.startswith("postgresql"):
        assert hits_in_files(tmp_path) == {}  # and after a clean stop
