"""Online backup of the SQLite database with SQLite's backup API, checked before it is kept.

``backup_sqlite`` copies the live database while the server keeps writing: the copy is taken in
one backup step, which in WAL mode reads one consistent snapshot (every transaction committed
before it started, none after) without blocking writers; stepping page by page would restart
each time another connection wrote. The copy is written next to the destination under a
temporary name, switched to the self-contained rollback journal, checked with
``PRAGMA integrity_check`` and only then renamed into place, so a failed or interrupted backup
never leaves a file that looks like a good one.

PostgreSQL is refused with a clear message: use ``pg_dump``, which takes a consistent snapshot.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from domain.errors import DomainError
from domain.files import check_target


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    pages: int
    tables: int
    seconds: float
    integrity: str  # "ok"

    def describe(self) -> str:
        return (
            f"backup written to {self.path} ({self.bytes / 1_048_576:.1f} MiB, {self.pages} pages, "
            f"{self.tables} tables) in {self.seconds:.2f} s; integrity check: {self.integrity}"
        )


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite URL; a clear error for PostgreSQL and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        target = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
        raise DomainError(
            "c360 backup copies SQLite databases; this one is PostgreSQL. Back it up with pg_dump, "
            f"which takes a consistent snapshot while the server runs: pg_dump --format=custom "
            f"--file=c360.dump '{target}' (restore with pg_restore)",
            field="database_url",
        )
    if parsed.get_backend_name() != "sqlite":
        raise DomainError(
            f"cannot back up a {parsed.get_backend_name()} database", field="database_url"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise DomainError(
            "an in-memory SQLite database has no file to back up", field="database_url"
        )
    return Path(parsed.database).resolve()


def integrity_check(path: Path) -> str:
    """SQLite's ``PRAGMA integrity_check`` of a database file: ``"ok"`` or the problems found."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def backup_target(dest: Path, now: datetime) -> Path:
    """``dest`` itself, or inside a directory ``c360-YYYYMMDD-HHMMSS.db`` (a symlink is never a directory)."""
    dest = Path(dest).expanduser()
    if dest.is_dir() and not dest.is_symlink():
        return dest / f"c360-{now:%Y%m%d-%H%M%S}.db"
    return dest


def backup_sqlite(url: str, dest: Path, *, now: datetime, force: bool = False) -> BackupReport:
    """Copy the live SQLite database at ``url`` to ``dest`` (a file, or a directory to put one in).

    Refuses a symlink, an existing file (unless ``force``) and the database itself; raises ``DomainError`` when the copy fails
    its integrity check (and removes it).
    """
    source = sqlite_path(url)
    if not source.is_file():
        raise DomainError(f"there is no database file at {source}", field="database_url")
    target = backup_target(dest, now)
    check_target(target, force=force, field="path")  # no symlink, no overwrite without force
    target = target.parent.resolve() / target.name
    if target == source:
        raise DomainError(
            "the backup path is the database itself; choose another file", field="path"
        )
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    started = time.perf_counter()
    src = sqlite3.connect(str(source), timeout=30)
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
    dst = sqlite3.connect(str(partial))  # the empty 0600 file above: the copy is never readable by others
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst, pages=-1)  # one step: one snapshot (see the module docstring)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        tables = dst.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
            0
        ]
    except sqlite3.Error as exc:
        dst.close()
        partial.unlink(missing_ok=True)
        raise DomainError(f"the backup failed: {exc}", field="path") from exc
    finally:
        src.close()
    dst.close()
    verdict = integrity_check(partial)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise DomainError(
            f"the copy failed its integrity check and was removed: {verdict}", field="path"
        )
    os.replace(partial, target)
    return BackupReport(
        target, target.stat().st_size, pages, tables, time.perf_counter() - started, verdict
    )
