"""What several server processes share through PostgreSQL, and nothing else: conversation locks,
the chat rate limit, leadership of the daily jobs and the record of which daily job ran on which day.

Locks are PostgreSQL advisory locks with two-int keys ``(namespace, hash of the name)``. A two-int
key lives in another key space than the one-bigint keys elsewhere in the code (``agent.checkpoint``'s
``hashtext`` lock), and each kind of lock here has its own namespace, so no two can collide. A lock
is held by a database session, so a process that dies (or loses its connection) lets go of all of
its locks at once: the next process takes over without a timeout or a lease to expire.

On SQLite there is one server process by construction (``c360 serve --workers`` refuses more):
leadership is always held and the callers keep their in-process locks and counters.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone

from sqlalchemy import Connection, Engine, create_engine, exists, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from domain.models import DailyRun

log = logging.getLogger("c360.shared")

# the first int of every advisory key taken here: one namespace per kind of lock
CONVERSATION = 0x63360001  # one conversation's turn ("c36" + 1)
LEADER = 0x63360002  # leadership of a daily job
WINDOW_SECONDS = 60.0  # the chat rate limit is "at most N turns in any 60 seconds"


def name_key(name: str) -> int:
    """A stable signed 32-bit number for ``name`` (the second int of an advisory key)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big", signed=True)


def shared(engine: Engine) -> bool:
    """True when the database can coordinate several processes (PostgreSQL)."""
    return engine.dialect.name == "postgresql"


def runner_name() -> str:
    """Which process this is, for the daily-run record and the logs: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ConversationLocks:
    """Cross-process locks on conversations, each on a connection of its own for the turn.

    The connections come from a small pool of their own with the engine's URL: a turn that holds a
    lock also needs connections for its work, and drawing both from one bounded pool would let
    enough concurrent turns starve each other (each holding a lock connection, all waiting for a
    second one)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = create_engine(engine.url, pool_size=2, max_overflow=-1, pool_pre_ping=True,
                                     isolation_level="AUTOCOMMIT")

    @contextmanager
    def hold(self, thread_id: str) -> Iterator[None]:
        """Wait for the conversation's lock, whichever process holds it, and keep it for the block."""
        key = {"ns": CONVERSATION, "key": name_key(thread_id)}
        conn = self._engine.connect()
        try:
            conn.execute(text("SELECT pg_advisory_lock(:ns, :key)"), key)
        except BaseException:
            conn.close()
            raise
        try:
            yield
        finally:
            _unlock(conn, key)

    def close(self) -> None:
        self._engine.dispose()


def _unlock(conn: Connection, key: dict[str, int]) -> None:
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), key)
    except DBAPIError:  # the connection is gone, and the server dropped its locks with it
        conn.invalidate()
    finally:
        conn.close()


class Leadership:
    """Whether this process leads ``job`` (at most one process does at a time, on PostgreSQL).

    The leader keeps the connection that holds ``pg_try_advisory_lock``; ``held()`` checks it is
    still alive and otherwise tries to take the lead, so when a leader dies the next process to ask
    becomes leader. On SQLite the one server process always leads."""

    def __init__(self, engine: Engine, job: str) -> None:
        self.job = job
        self._engine = engine
        self._key = {"ns": LEADER, "key": name_key(job)}
        self._conn: Connection | None = None
        self._guard = threading.Lock()

    def held(self) -> bool:
        if not shared(self._engine):
            return True
        with self._guard:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    return True
                except DBAPIError:
                    log.warning("lost the connection that made this process leader of %s", self.job)
                    self._conn.invalidate()
                    self._conn.close()
                    self._conn = None
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                won = conn.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"), self._key).scalar()
            except BaseException:
                conn.close()
                raise
            if not won:
                conn.close()
                return False
            self._conn = conn
            log.info("%s leads %s", runner_name(), self.job)
            return True

    def release(self) -> None:
        with self._guard:
            if self._conn is not None:
                _unlock(self._conn, self._key)
                self._conn = None


def day_done(session: Session, job: str, day: date) -> bool:
    """Has ``job`` finished for ``day`` (in any process)?"""
    return bool(session.scalar(select(exists().where(DailyRun.job == job, DailyRun.day == day))))


def mark_day_done(session: Session, job: str, day: date) -> None:
    """Record that ``job`` finished for ``day`` (a later run the same day updates the record)."""
    row = session.get(DailyRun, (job, day))
    now = datetime.now(timezone.utc)  # when it happened, for people reading the table, not a business date
    if row is None:
        session.add(DailyRun(job=job, day=day, finished_at=now, runner=runner_name()))
    else:
        row.finished_at, row.runner = now, runner_name()


# One statement per turn: drop the user's turns older than the window, add this one if fewer than
# ``limit`` remain, and say whether it was added and when the oldest kept turn was. The row lock the
# upsert takes orders concurrent turns of one user; the database's clock is the one all processes share.
_TAKE_TURN = text("""
WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t)
INSERT INTO chat_turn_windows AS w (user_id, turns)
SELECT :user_id, ARRAY[clock.t] FROM clock
ON CONFLICT (user_id) DO UPDATE SET turns = (
    SELECT CASE WHEN count(*) < :limit
                THEN coalesce(array_agg(x ORDER BY x), '{}'::float8[]) || (SELECT t FROM clock)
                ELSE array_agg(x ORDER BY x) END
    FROM unnest(w.turns) AS x WHERE x > (SELECT t FROM clock) - :window)
RETURNING w.turns[cardinality(w.turns)] = (SELECT t FROM clock) AS admitted,
          (SELECT t FROM clock) - w.turns[1] AS age_of_oldest
""")


def take_chat_turn(engine: Engine, user_id: int, limit: int, window: float = WINDOW_SECONDS) -> float:
    """Count a chat turn for ``user_id`` across all processes: 0 when it is allowed (and counted),
    else the seconds until the oldest turn in the window leaves it. PostgreSQL only."""
    with engine.begin() as conn:
        admitted, age = conn.execute(_TAKE_TURN, {"user_id": user_id, "limit": limit, "window": window}).one()
    return 0.0 if admitted else max(0.0, window - age)
