"""What server processes share through PostgreSQL: conversation locks, the chat rate limit, leadership
of the daily jobs and the daily-run record. Two instances stand for two processes: each has its own
connections, so PostgreSQL cannot tell them from two processes."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import text

from domain.db import transaction
from domain.shared_locks import (
    CONVERSATION,
    ConversationLocks,
    Leadership,
    day_done,
    mark_day_done,
    name_key,
    take_chat_turn,
)
from tests.factories import make_user


def _pg_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite is one server process: its locks and counters stay in that process")


def test_name_keys_are_stable_signed_32_bit_numbers():
    keys = {name_key(f"http-{n}-abc") for n in range(1000)}
    assert len(keys) == 1000
    assert all(-(2 ** 31) <= k < 2 ** 31 for k in keys)
    assert name_key("http-1-abc") == name_key("http-1-abc")


def test_a_conversation_lock_makes_the_other_process_wait_until_it_is_released(engine):
    _pg_only(engine)
    first, second = ConversationLocks(engine), ConversationLocks(engine)
    events: list[str] = []
    try:
        with first.hold("http-1-same"):
            waiter = threading.Thread(target=lambda: _hold_and_note(second, "http-1-same", events))
            waiter.start()
            time.sleep(0.5)
            assert events == []  # still waiting for the first
            with second.hold("http-1-other"):  # another conversation does not wait
                events.append("other")
            events.append("released")
        waiter.join(timeout=10)
        assert events == ["other", "released", "second"]
    finally:
        first.close()
        second.close()


def _hold_and_note(locks: ConversationLocks, thread_id: str, events: list[str]) -> None:
    with locks.hold(thread_id):
        events.append("second")


def test_a_conversation_lock_is_released_when_the_block_fails(engine):
    _pg_only(engine)
    locks = ConversationLocks(engine)
    try:
        with pytest.raises(RuntimeError), locks.hold("http-1-x"):
            raise RuntimeError("the turn failed")
        with engine.connect() as conn:
            held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :ns"),
                                {"ns": CONVERSATION & 0xFFFFFFFF}).scalar()
        assert held == 0
    finally:
        locks.close()


def test_the_shared_rate_limit_admits_n_turns_a_minute_then_says_how_long_to_wait(engine, sessions):
    _pg_only(engine)
    with transaction(sessions) as session:
        rina, omar = make_user(session, "Rina Akter"), make_user(session, "Omar Faruk")
        ids = rina.id, omar.id
    rina_id, omar_id = ids
    assert [take_chat_turn(engine, rina_id, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = take_chat_turn(engine, rina_id, 3)
    assert 59.0 < wait <= 60.0  # the first turn leaves the window in just under a minute
    assert take_chat_turn(engine, omar_id, 3) == 0.0  # per user
    # turns older than the window drop out (and the refused one was never counted)
    time.sleep(0.3)
    assert take_chat_turn(engine, rina_id, 3, window=0.2) == 0.0
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT cardinality(turns) FROM chat_turn_windows WHERE user_id = :u"),
                            {"u": rina_id}).scalar()
    assert kept == 1


def test_concurrent_turns_of_one_user_are_counted_exactly(engine, sessions):
    _pg_only(engine)
    with transaction(sessions) as session:
        user_id = make_user(session, "Rina Akter").id
    results: list[float] = []
    guard = threading.Lock()

    def turn() -> None:
        wait = take_chat_turn(engine, user_id, 5)
        with guard:
            results.append(wait)

    threads = [threading.Thread(target=turn) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r == 0.0 for r in results).count(True) == 5


def test_one_leader_at_a_time_and_the_next_takes_over_when_it_goes(engine):
    leader, other = Leadership(engine, "test-job"), Leadership(engine, "test-job")
    try:
        assert leader.held()
        if engine.dialect.name == "sqlite":
            assert other.held()  # one process: it always leads
            return
        assert not other.held()
        assert leader.held()  # still, on the connection it kept
        assert Leadership(engine, "another-job").held()  # per job
        leader.release()
        assert other.held()
        assert not leader.held()
    finally:
        leader.release()
        other.release()


def test_a_leader_whose_connection_dies_loses_the_lead(engine):
    _pg_only(engine)
    leader, other = Leadership(engine, "test-job"), Leadership(engine, "test-job")
    try:
        assert leader.held()
        pid = leader._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 10
        while not other.held():
            assert time.monotonic() < deadline, "the lock outlived its connection"
            time.sleep(0.1)
        assert not leader.held()  # it notices the dead connection and finds the lead taken
    finally:
        leader.release()
        other.release()


def test_the_daily_run_record(sessions):
    day = date(2026, 11, 20)
    with transaction(sessions) as session:
        assert not day_done(session, "refresh", day)
        mark_day_done(session, "refresh", day)
    with transaction(sessions) as session:
        assert day_done(session, "refresh", day)
        assert not day_done(session, "digest", day) and not day_done(session, "refresh", date(2026, 11, 21))
        mark_day_done(session, "refresh", day)  # again the same day: still one record
