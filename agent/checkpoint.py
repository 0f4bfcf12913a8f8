"""Where conversations persist: a SQLite file next to the database, or the PostgreSQL database itself.

After each turn the runner prunes the thread to its latest checkpoint (``keep_latest``), so a thread's
storage is one bounded checkpoint (the message list is bounded by ``agent.history``) instead of one
per step of every turn it ever had.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from sqlalchemy.engine import make_url

from domain.settings import Settings


class PrunableSqliteSaver(SqliteSaver):
    """SqliteSaver with ``prune(keep_latest)``: the graph uses no DeltaChannel, so the latest
    checkpoint holds every channel value and older ones can go."""

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a sequence of thread ids, not a str")
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}")
        with self.cursor() as cur:
            for thread_id in map(str, thread_ids):
                if strategy == "delete":
                    cur.execute("DELETE FROM checkpoints WHERE thread_id = ?", (thread_id,))
                    cur.execute("DELETE FROM writes WHERE thread_id = ?", (thread_id,))
                    continue
                # checkpoint ids are time-ordered (uuid6), so max() is the latest in each namespace
                keep = "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? GROUP BY checkpoint_ns"
                cur.execute(f"DELETE FROM checkpoints WHERE thread_id = ? AND (checkpoint_ns, checkpoint_id) NOT IN ({keep})",
                            (thread_id, thread_id))
                cur.execute(f"DELETE FROM writes WHERE thread_id = ? AND (checkpoint_ns, checkpoint_id) NOT IN ({keep})",
                            (thread_id, thread_id))


@dataclass
class Checkpointer:
    """A saver and how to close what it holds open."""

    saver: BaseCheckpointSaver
    resource: Any
    kind: str  # "sqlite" or "postgresql"

    def prune(self, thread_id: str) -> None:
        self.saver.prune([thread_id], strategy="keep_latest")

    def close(self) -> None:
        close = getattr(self.resource, "close", None)
        if close:
            close()


def checkpoint_path(settings: Settings) -> str:
    """The SQLite checkpoint file: next to a SQLite database, else in data_dir."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:":
            return ":memory:"
        return str(Path(database).resolve().with_name("checkpoints.db"))
    return str((settings.data_dir / "checkpoints.db").resolve())


def open_checkpointer(settings: Settings) -> Checkpointer:
    """PostgreSQL when the database is PostgreSQL, otherwise a SQLite file; tables are created."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "postgresql":
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        pool = ConnectionPool(conninfo, min_size=1, max_size=4, open=True,
                              kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
        saver = PostgresSaver(pool)
        saver.setup()
        return Checkpointer(saver, pool, "postgresql")
    path = checkpoint_path(settings)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    saver = PrunableSqliteSaver(conn)
    saver.setup()
    return Checkpointer(saver, conn, "sqlite")
