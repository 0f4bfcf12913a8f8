"""After an erasure or a retention run: no recoverable copy of the old text in the product's files.

Updating a row leaves the old version behind: in SQLite's WAL and free pages until a checkpoint and
a VACUUM, in PostgreSQL's dead tuples until a VACUUM. ``scrub_database`` does both for the data
database (the whole SQLite file; on PostgreSQL the tables that changed);
``scrub_sqlite_file`` does it for a SQLite file the product keeps next to it (the checkpoints).

Both take time proportional to the database's size (a VACUUM rewrites the file), which is fine for
erasure and nightly retention and is why normal writes do not do it. Copies outside these files
(backups, PostgreSQL's WAL archive and replicas, the filesystem's free blocks) are out of reach:
``docs/security.md`` says what to do about them.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
CHECKPOINT_TRIES = 20  # a running server may hold a read open for a moment; wait for it, briefly
SNAPSHOT_WAIT_SECONDS = 30.0  # how long a PostgreSQL scrub waits for older snapshots to end


def scrub_database(engine: Engine, tables: Iterable[str] = ()) -> None:
    """Remove the old versions of changed rows from the database's files: on SQLite the whole file
    (VACUUM, WAL truncated); on PostgreSQL each of ``tables`` is rewritten (``VACUUM FULL``: a plain
    VACUUM frees dead tuples but may leave their bytes in the page's free space)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            _vacuum_and_truncate(raw.driver_connection)
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        existing = set(conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
        _wait_for_older_snapshots(conn)
        for table in sorted(set(tables) & existing):
            # rewrites the table, its TOAST table and its indexes into new files; the old files are
            # deleted. It locks the table for as long as the copy takes (seconds at 100k customers).
            conn.exec_driver_sql(f'VACUUM FULL "{table}"')


def _wait_for_older_snapshots(conn, timeout: float = SNAPSHOT_WAIT_SECONDS) -> None:
    """Wait until no other session of this database holds a snapshot taken before now.

    ``VACUUM FULL`` copies a deleted row's old version into the new file while any transaction
    could still see it (an open read, autovacuum's ANALYZE), so the erased text would survive.
    """
    horizon = conn.execute(text(
        "SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text")).scalar()
    older = text(
        "SELECT pid, backend_type FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
        "AND age(backend_xmin) > age(CAST(:horizon AS xid))")
    deadline = time.monotonic() + timeout
    while rows := conn.execute(older, {"horizon": horizon}).all():
        if time.monotonic() >= deadline:
            log.warning("scrub: %d older transactions still open (%s); old row versions they can "
                        "see may survive until the next scrub", len(rows),
                        ", ".join(f"pid {pid} ({kind})" for pid, kind in rows))
            return
        time.sleep(0.1)


def scrub_sqlite_file(path: str | Path) -> bool:
    """VACUUM a SQLite file and truncate its WAL; False when there is no such file."""
    if not Path(path).exists():
        return False
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        _vacuum_and_truncate(conn)
    finally:
        conn.close()
    return True


def _vacuum_and_truncate(conn) -> None:
    """VACUUM rewrites every page (old row versions and free pages go); the WAL, which still holds the
    pages as they were, is then checkpointed into the file and truncated to zero bytes."""
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("VACUUM")
    for _ in range(CHECKPOINT_TRIES):
        busy, _frames, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        time.sleep(0.25)
    log.warning("the SQLite WAL could not be truncated (a reader kept it busy); run the command again")
