"""Slack deliveries are taken on once, by event id and by channel + message ts, across processes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from domain.db import make_engine, session_factory
from domain.errors import DomainError
from domain.slack_events import claim_delivery, prune_deliveries, release_delivery, slack_user
from tests.factories import make_user


def test_claims_by_event_id_and_by_message(sessions, clock):
    now = clock.now()
    claim = lambda **kw: claim_delivery(sessions, team_id="T1", now=now, **kw)
    assert claim(kind="message", event_id="Ev1", channel="D1", message_ts="1.1")
    assert not claim(kind="message", event_id="Ev1", channel="D1", message_ts="1.1", retry_num=1)  # a retry
    assert not claim(kind="message", event_id="Ev2", channel="D1", message_ts="1.1")  # same message, new id
    assert claim(kind="decision", channel="D1", message_ts="1.1")  # another kind on the same ts is separate
    assert claim(kind="message", event_id="Ev3", channel="D1", message_ts="1.2")
    assert claim_delivery(sessions, team_id="T2", kind="message", event_id="Ev1", now=now)  # another workspace
    with pytest.raises(DomainError, match="event_id"):
        claim(kind="message", channel="D1")
    with pytest.raises(DomainError, match="unknown delivery kind"):
        claim(kind="shout", event_id="Ev9")

    release_delivery(sessions, team_id="T1", event_id="Ev3")
    assert claim(kind="message", event_id="Ev3", channel="D1", message_ts="1.2")
    assert prune_deliveries(sessions, before=now + timedelta(seconds=1)) == 4
    assert claim(kind="message", event_id="Ev1", channel="D1", message_ts="1.1")


def test_concurrent_processes_claim_a_delivery_once(db_url, clock):
    """Eight engines (as eight processes would) race for the same event: exactly one wins."""
    engines = [make_engine(db_url) for _ in range(8)]
    try:
        def race(engine) -> bool:
            return claim_delivery(session_factory(engine), team_id="T1", kind="message", event_id="EvRace",
                                  channel="C1", message_ts="9.9", now=clock.now())
        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(race, engines))
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(outcomes) == [False] * 7 + [True]


def test_slack_users_map_to_active_c360_users(sessions):
    with sessions.begin() as session:
        make_user(session, "Rina Akter", slack_user_id="U1")
        make_user(session, "Old Agent", slack_user_id="U2", is_active=False)
    with sessions() as session:
        assert slack_user(session, "U1").name == "Rina Akter"
        assert slack_user(session, "U2") is None and slack_user(session, "U404") is None
        assert slack_user(session, None) is None
