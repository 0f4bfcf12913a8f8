"""Who owns an HTTP conversation, one turn at a time per conversation, and the chat rate limit.

A thread id is ``http-<user id>-<random>``: the owner is part of the id, so no table is needed
to answer "is this user's thread?", and a guessed id of another user's thread is refused the same
way as an unknown one (404). The locks and the limiter work per process on SQLite (one process);
given a PostgreSQL engine they hold across every server process on that database as well
(``domain.shared_locks``: an advisory lock per conversation, one shared row of turns per user).
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from domain.shared_locks import ConversationLocks, shared, take_chat_turn
from tools.context import Actor

PREFIX = "http"


def new_thread_id(user: Actor) -> str:
    return f"{PREFIX}-{user.id}-{secrets.token_urlsafe(12)}"


def belongs_to(thread_id: str, user: Actor) -> bool:
    return thread_id.startswith(f"{PREFIX}-{user.id}-")


class ThreadLocks:
    """One lock per conversation, so a double-clicked Approve cannot run the same turn twice at once.

    In process first (threads of this process queue without a database connection each), then, on
    PostgreSQL, the conversation's advisory lock (another process's turn on it)."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._shared = ConversationLocks(engine) if engine is not None and shared(engine) else None

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()

    @contextmanager
    def hold(self, thread_id: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(thread_id, (threading.Lock(), 0))
            self._locks[thread_id] = (lock, users + 1)
        try:
            with lock:
                if self._shared is None:
                    yield
                else:
                    with self._shared.hold(thread_id):
                        yield
        finally:
            with self._guard:
                lock, users = self._locks[thread_id]
                if users <= 1:
                    del self._locks[thread_id]  # no waiters left: do not keep a lock per thread forever
                else:
                    self._locks[thread_id] = (lock, users - 1)


class RateLimiter:
    """At most ``per_minute`` chat turns per user in any 60 seconds (0 or less: no limit); counted in
    the database on PostgreSQL (every process sees the same turns), in this process on SQLite."""

    def __init__(self, per_minute: int, engine: Engine | None = None) -> None:
        self.per_minute = per_minute
        self._engine = engine if engine is not None and shared(engine) else None
        self._guard = threading.Lock()
        self._seen: dict[int, deque[float]] = defaultdict(deque)

    def retry_after(self, user_id: int) -> int:
        """0 when the user may go on (and counts this turn); else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        if self._engine is not None:
            wait = take_chat_turn(self._engine, user_id, self.per_minute)
            return max(1, int(wait) + 1) if wait else 0
        now = time.monotonic()  # elapsed time, not business time: the rule is about request spacing
        with self._guard:
            seen = self._seen[user_id]
            while seen and now - seen[0] >= 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(1, int(60 - (now - seen[0])) + 1)
            seen.append(now)
            return 0
