"""Break 12: files. The database, conversations, backups and exports were created world-readable
(0644, data folder 0755); ``c360 backup`` and ``customer export --out`` followed symlinks and
overwrote existing files."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

import channels.cli.chat  # noqa: F401  (registers the commands on the app)
import channels.cli.privacy  # noqa: F401
import channels.cli.users  # noqa: F401
from channels.cli import app
from domain.db import transaction
from domain.settings import get_settings
from tests.factories import make_customer

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_installation_is_private(tmp_path, monkeypatch):
    data = tmp_path / "fresh" / "data"
    monkeypatch.delenv("C360_DATABASE_URL", raising=False)
    monkeypatch.setenv("C360_DATA_DIR", str(data))
    monkeypatch.setenv("C360_LLM_BACKEND", "offline")
    get_settings.cache_clear()
    try:
        added = runner.invoke(app, ["users", "add", "Rina Akter", "--role", "agent"])
        assert added.exit_code == 0, added.output
        asked = runner.invoke(app, ["ask", "who should I call today?", "--as", "Rina Akter"])
        assert asked.exit_code == 0, asked.output
    finally:
        get_settings.cache_clear()
    assert mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"c360.db", "checkpoints.db"}
    loose = {p.name: oct(mode(p)) for p in files if mode(p) & 0o077}
    assert loose == {}, f"readable by others: {loose}"


@pytest.fixture
def customer(cli_env, sessions) -> int:
    with transaction(sessions) as s:
        return make_customer(s, "Rahim Uddin", phone="01712345678").id


@pytest.mark.parametrize("command", ["customer export", "consent export"])
def test_exports_refuse_symlinks_and_existing_files(customer, tmp_path, command):
    args = command.split() + ([str(customer)] if command == "customer export" else [])
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "out-link.json"
    link.symlink_to(victim)
    refused = runner.invoke(app, [*args, "--out", str(link)])
    assert refused.exit_code == 1 and "symbolic link" in refused.output
    assert victim.read_text() == "keep me"
    existing = runner.invoke(app, [*args, "--out", str(victim)])
    assert existing.exit_code == 1 and "already exists" in existing.output and "--force" in existing.output
    assert victim.read_text() == "keep me"
    forced = runner.invoke(app, [*args, "--out", str(victim), "--force"])
    assert forced.exit_code == 0, forced.output
    assert victim.read_text() != "keep me" and mode(victim) == 0o600
    fresh = tmp_path / "new-export"
    assert runner.invoke(app, [*args, "--out", str(fresh)]).exit_code == 0
    assert mode(fresh) == 0o600
    still_link = runner.invoke(app, [*args, "--out", str(link), "--force"])
    assert still_link.exit_code == 1 and link.is_symlink()  # --force never writes through a link


def test_backup_refuses_symlinks_and_existing_files_and_is_private(customer, tmp_path, cli_env):
    if not cli_env.startswith("sqlite"):
        pytest.skip("PostgreSQL backups are pg_dump's (the command explains)")
    victim = tmp_path / "victim.db"
    victim.write_text("keep me")
    link = tmp_path / "backup-link.db"
    link.symlink_to(victim)
    refused = runner.invoke(app, ["backup", str(link)])
    assert refused.exit_code == 1 and "symbolic link" in refused.output and victim.read_text() == "keep me"
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "elsewhere" / "x.db")
    assert runner.invoke(app, ["backup", str(dangling)]).exit_code == 1
    existing = runner.invoke(app, ["backup", str(victim)])
    assert existing.exit_code == 1 and "already exists" in existing.output
    forced = runner.invoke(app, ["backup", str(victim), "--force"])
    assert forced.exit_code == 0, forced.output
    assert victim.read_bytes().startswith(b"SQLite format 3") and mode(victim) == 0o600
    folder = tmp_path / "backups"
    folder.mkdir()
    assert runner.invoke(app, ["backup", str(folder)]).exit_code == 0
    [made] = list(folder.iterdir())
    assert mode(made) == 0o600
