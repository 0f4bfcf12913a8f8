"""The HTTP conversation lock and the chat rate limiter on both engines: the same rule either way (in
this process on SQLite, in the database on PostgreSQL, where two instances stand for two processes)."""
from __future__ import annotations

import threading
import time

from channels.http.conversations import RateLimiter, ThreadLocks
from domain.db import transaction
from tests.factories import make_user


def _user(sessions) -> int:
    with transaction(sessions) as session:
        return make_user(session, "Rina Akter").id


def test_the_rate_limit_admits_n_turns_then_gives_a_retry_after_on_both_engines(engine, sessions):
    user_id = _user(sessions)
    limiter = RateLimiter(3, engine)
    assert [limiter.retry_after(user_id) for _ in range(3)] == [0, 0, 0]
    wait = limiter.retry_after(user_id)
    assert 59 <= wait <= 61  # the first turn leaves the 60-second window in about a minute
    assert RateLimiter(0, engine).retry_after(user_id) == 0  # 0: no limit


def test_two_limiters_share_the_count_on_postgresql_only(engine, sessions):
    user_id = _user(sessions)
    first, second = RateLimiter(2, engine), RateLimiter(2, engine)
    assert first.retry_after(user_id) == 0 and second.retry_after(user_id) == 0
    if engine.dialect.name == "postgresql":
        assert first.retry_after(user_id) > 0 and second.retry_after(user_id) > 0  # one count, two processes
    else:
        assert first.retry_after(user_id) == 0  # SQLite: each process (one) counts its own


def test_two_thread_locks_serialise_one_conversation_across_processes_on_postgresql(engine):
    first, second = ThreadLocks(engine), ThreadLocks(engine)
    order: list[str] = []
    try:
        with first.hold("http-1-abc"):
            other = threading.Thread(target=lambda: _note(second, "http-1-abc", order))
            other.start()
            time.sleep(0.4)
            order.append("first done")
        other.join(timeout=10)
        if engine.dialect.name == "postgresql":
            assert order == ["first done", "second"]
        else:  # two lock objects on SQLite are two unrelated in-process locks (one server process)
            assert order == ["second", "first done"]
        with first.hold("http-1-abc"), first.hold("http-1-other"):  # other conversations do not wait
            pass
    finally:
        first.close()
        second.close()


def _note(locks: ThreadLocks, thread_id: str, order: list[str]) -> None:
    with locks.hold(thread_id):
        order.append("second")


def test_one_thread_locks_serialises_its_threads_on_both_engines(engine):
    locks = ThreadLocks(engine)
    inside, most = [0], [0]
    guard = threading.Lock()

    def turn() -> None:
        with locks.hold("http-1-same"):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=turn) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    locks.close()
    assert most[0] == 1
    assert locks._locks == {}  # nothing kept per conversation once nobody waits
