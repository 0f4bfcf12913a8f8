"""Online backup: copies taken while a writer logs interactions are intact and hold a consistent prefix."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from domain.backup import backup_sqlite, integrity_check, sqlite_path
from domain.db import make_engine, session_factory, transaction
from domain.enums import Role
from domain.errors import DomainError
from domain.models import AuditLog, CustomerStats, Interaction
from tests.factories import make_customer, make_user
from tests.tools.conftest import tool_settings
from tools.context import Actor, ToolContext
from tools.registry import call_tool, load_tools

BACKUPS = 4


@pytest.fixture
def db_url(sqlite_template, tmp_path) -> str:
    """Backups are SQLite's: a fresh migrated SQLite file (PostgreSQL is refused, tested below)."""
    path = tmp_path / "c360.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_backups_taken_while_writing_hold_a_consistent_prefix(db_url, sessions, clock, tmp_path):
    load_tools()
    with transaction(sessions) as s:
        user = make_user(s, "Backup Writer")
        customers = [make_customer(s, f"Backup Customer {k}").id for k in range(3)]
    ctx = ToolContext(
        sessions=sessions,
        actor=Actor(user.id, user.name, Role.agent),
        clock=clock,
        settings=tool_settings(),
        request_id="backup-test",
    )
    acked: list[int] = []  # write numbers, in order, after their call returned success
    stop = threading.Event()
    failures: list[str] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            result = call_tool(
                "log_interaction",
                {"customer": customers[n % 3], "type": "call", "notes": f"backup write {n:05d}"},
                ctx.with_key(f"b-{n}"),
            )
            if not result.ok:
                failures.append(result.text)
                return
            acked.append(n)
            n += 1

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    copies = []
    try:
        for k in range(BACKUPS):
            while len(acked) < 10 * (k + 1) and thread.is_alive():
                time.sleep(0.01)
            before = len(acked)
            report = backup_sqlite(db_url, tmp_path / f"copy-{k}.db", now=clock.now())
            copies.append((report, before, len(acked)))
    finally:
        stop.set()
        thread.join(30)
    assert failures == []
    sizes = []
    for report, acked_before, acked_after in copies:
        assert report.integrity == "ok" and integrity_check(report.path) == "ok"
        assert report.path.stat().st_size == report.bytes > 0
        assert not Path(f"{report.path}-wal").exists()  # a self-contained file
        restored = restore(report.path)
        # every write acknowledged before the backup began is in it; nothing after it ended
        # (+1: a write may commit during the copy and be acknowledged just after)
        assert acked_before <= len(restored) <= acked_after + 1
        assert restored == [
            f"backup write {n:05d}" for n in range(len(restored))
        ]  # a prefix, no gaps
        sizes.append(len(restored))
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]


def restore(path: Path) -> list[str]:
    """Open a backup as the product would and check that each write in it is whole."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with session_factory(engine)() as s:
            notes = s.scalars(select(Interaction.notes).order_by(Interaction.id)).all()
            audits = s.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "log_interaction")
            )
            counted = s.scalar(select(func.coalesce(func.sum(CustomerStats.interaction_count), 0)))
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()
    assert audits == len(notes) == counted
    return list(notes)


def test_backup_into_a_folder_gets_a_dated_name(db_url, sessions, clock, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    report = backup_sqlite(db_url, folder, now=datetime(2026, 11, 20, 10, 30, tzinfo=clock.tz))
    assert report.path == (folder / "c360-20261120-103000.db").resolve()
    assert report.tables >= 25 and "integrity check: ok" in report.describe()


def test_backup_refuses_to_overwrite_or_to_copy_onto_itself(db_url, clock, tmp_path):
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(DomainError, match="already exists"):
        backup_sqlite(db_url, existing, now=clock.now())
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(DomainError, match="already exists|the database itself"):
        backup_sqlite(db_url, sqlite_path(db_url), now=clock.now())
    with pytest.raises(DomainError, match="does not exist"):
        backup_sqlite(db_url, tmp_path / "no" / "such" / "dir.db", now=clock.now())


def test_integrity_check_detects_a_damaged_file(tmp_path):
    broken = tmp_path / "broken.db"
    conn = sqlite3.connect(broken)
    conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)")
    conn.execute("CREATE INDEX t_y ON t (y)")
    conn.executemany("INSERT INTO t (y) VALUES (?)", [(f"row {i}",) for i in range(2000)])
    conn.commit()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(broken.read_bytes())
    data[page_size * 3 + 200 : page_size * 3 + 600] = b"\xff" * 400  # scribble over a b-tree page
    broken.write_bytes(bytes(data))
    assert integrity_check(broken) != "ok"


def test_postgresql_is_refused_with_the_pg_dump_advice(clock, tmp_path):
    url = "postgresql+psycopg://c360:s3cret@db.example:5432/c360"
    with pytest.raises(DomainError, match="pg_dump") as caught:
        backup_sqlite(url, tmp_path / "x.db", now=clock.now())
    assert (
        "s3cret" not in caught.value.message
        and "postgresql://c360:***@db.example:5432/c360" in caught.value.message
    )
    assert not (tmp_path / "x.db").exists()


def test_an_in_memory_database_has_nothing_to_back_up(clock, tmp_path):
    with pytest.raises(DomainError, match="in-memory"):
        backup_sqlite("sqlite://", tmp_path / "x.db", now=clock.now())
