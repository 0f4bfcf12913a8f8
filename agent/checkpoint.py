"""Where conversations persist: a SQLite file next to the database, or the PostgreSQL database itself.

After each turn the runner prunes the thread to its latest checkpoint (``keep_latest``), so a thread's
storage is one bounded checkpoint (the message list is bounded by ``agent.history``) instead of one
per step of every turn it ever had.

``forget_customer`` is erasure's reach into conversations: every thread whose stored state mentions
an erased customer is deleted, so their name, phone or notes never go to a model again.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from datetime import datetime, timezone
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from sqlalchemy.engine import make_url

from agent.mentions import Mentions
from domain.settings import Settings

log = logging.getLogger(__name__)
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")  # PostgresSaver's
MIN_RETAINED_TEXT = 8  # shorter old texts ("ok", "call me") would match unrelated conversations
SCAN_BATCH = 200  # checkpoints decoded per query while looking for a customer's threads


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
        with pool.connection() as lock:  # several processes starting at once: one creates the tables
            lock.execute("SELECT pg_advisory_lock(hashtext('c360.checkpoint.setup'))")
            try:
                saver.setup()
            finally:
                lock.execute("SELECT pg_advisory_unlock(hashtext('c360.checkpoint.setup'))")
        return Checkpointer(saver, pool, "postgresql")
    path = checkpoint_path(settings)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    saver = PrunableSqliteSaver(conn)
    saver.setup()
    return Checkpointer(saver, conn, "sqlite")


def scrub_store(settings: Settings) -> None:
    """After threads were deleted: no old copy left in the conversation store's files (a SQLite file:
    VACUUM and WAL truncated; PostgreSQL: its tables rewritten). See ``domain.privacy.scrub``."""
    from domain.db import make_engine
    from domain.privacy.scrub import scrub_database, scrub_sqlite_file

    url = settings.resolved_database_url
    if make_url(url).get_backend_name() == "postgresql":
        engine = make_engine(url)
        try:
            scrub_database(engine, CHECKPOINT_TABLES)
        finally:
            engine.dispose()
        return
    path = checkpoint_path(settings)
    if path != ":memory:":
        scrub_sqlite_file(path)


def threads_matching(saver: BaseCheckpointSaver, matches: Callable[[Any], bool]) -> set[str]:
    """The ids of the threads with any stored checkpoint (values or pending writes) that ``matches``.

    Every checkpoint is read, a page of ``SCAN_BATCH`` at a time (newest first): pruning leaves one
    per thread, and a thread not pruned yet may hold the customer only in an older step.
    """
    found: set[str] = set()
    before = None
    while True:
        page = list(saver.list(None, before=before, limit=SCAN_BATCH))
        for item in page:
            thread_id = item.config["configurable"]["thread_id"]
            if thread_id in found:
                continue
            writes = [value for _task, _channel, value in item.pending_writes or ()]
            if matches(item.checkpoint.get("channel_values")) or matches(writes):
                found.add(thread_id)
        if len(page) < SCAN_BATCH:
            return found
        before = {"configurable": {"checkpoint_id": page[-1].config["configurable"]["checkpoint_id"]}}


def forget_customer(settings: Settings, customer_id: int, terms: Iterable[str], *,
                    checkpointer: Checkpointer | None = None) -> int:
    """Delete every conversation thread that mentions the customer; returns how many were deleted.

    A thread mentions them when its stored state (messages, tool calls and results, the context, a
    write waiting for approval) holds their id or any of ``terms`` (``domain.privacy.identifying_terms``,
    read before the erasure). ``checkpointer`` defaults to this installation's, opened and closed
    here; with no SQLite checkpoint file there is nothing to forget and none is created.
    """
    if checkpointer is None:
        path = checkpoint_path(settings)
        if make_url(settings.resolved_database_url).get_backend_name() != "postgresql" and (
                path == ":memory:" or not Path(path).exists()):
            return 0
        checkpointer = open_checkpointer(settings)
        try:
            return forget_customer(settings, customer_id, terms, checkpointer=checkpointer)
        finally:
            checkpointer.close()
    mentions = Mentions(customer_id, terms, region=settings.phone_region)
    threads = threads_matching(checkpointer.saver, mentions.found_in)
    for thread_id in sorted(threads):
        checkpointer.saver.delete_thread(thread_id)
    log.info("deleted %d conversation threads that mentioned customer #%d", len(threads), customer_id)
    return len(threads)


def forget_old_text(settings: Settings, texts: Iterable[str], *, before: datetime | None = None,
                    dry_run: bool = False) -> int:
    """Retention's reach into conversations: delete every thread whose stored state holds one of
    ``texts`` (the free text retention redacts in the tables, read before it does) or whose last
    turn is older than ``before``. Returns how many threads went (or would go, on a dry run)."""
    path = checkpoint_path(settings)
    if make_url(settings.resolved_database_url).get_backend_name() != "postgresql" and (
            path == ":memory:" or not Path(path).exists()):
        return 0
    patterns = _text_patterns(texts)

    def holds(value: Any) -> bool:
        return any(pattern.search(text) for text in _strings(value) for pattern in patterns)

    checkpointer = open_checkpointer(settings)
    try:
        threads = threads_matching(checkpointer.saver, holds) if patterns else set()
        if before is not None:
            threads |= _threads_last_active_before(checkpointer.saver, before)
        if not dry_run:
            for thread_id in sorted(threads):
                checkpointer.saver.delete_thread(thread_id)
    finally:
        checkpointer.close()
    log.info("retention: %d conversation threads %s", len(threads), "to delete" if dry_run else "deleted")
    return len(threads)


def _text_patterns(texts: Iterable[str], chunk: int = 300) -> list[re.Pattern]:
    """A few compiled alternations instead of one search per text (thousands of old notes)."""
    unique = sorted({t.strip() for t in texts if t and len(t.strip()) >= MIN_RETAINED_TEXT}, key=len, reverse=True)
    return [re.compile("|".join(map(re.escape, unique[i:i + chunk]))) for i in range(0, len(unique), chunk)]


def _strings(value: Any, depth: int = 0) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif depth < 12 and isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < 12 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


def _threads_last_active_before(saver: BaseCheckpointSaver, before: datetime) -> set[str]:
    latest: dict[str, str] = {}
    for item in saver.list(None):
        thread_id = item.config["configurable"]["thread_id"]
        stamp = str(item.checkpoint.get("ts") or "")
        if stamp > latest.get(thread_id, ""):
            latest[thread_id] = stamp
    cutoff = before.astimezone(timezone.utc).isoformat()
    return {thread for thread, stamp in latest.items() if stamp and stamp < cutoff}
