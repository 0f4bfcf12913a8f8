"""Fixtures for the HTTP channel tests: a small world, tokens, and the app on the test database.

tests/channels/conftest.py makes the fixtures available to every channel test.
``api`` gives a TestClient (client address 127.0.0.1) on ``create_app(agent=...)`` with the offline
model and the fixed test clock, plus tokens for two agents: Rina (owns Rahim) and Karim.
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent.runner import Agent
from channels.http.app import create_app
from domain.settings import Settings
from domain.stats import refresh_derived, refresh_stats
from domain.users import issue_token
from tests.factories import (
    make_customer,
    make_family,
    make_interaction,
    make_order,
    make_product,
    make_user,
)

RAHIM_PHONE = "01712345678"


@dataclass
class Api:
    client: TestClient
    app: FastAPI
    agent: Agent
    sessions: sessionmaker[Session]
    tokens: dict[str, str]  # "rina", "karim"
    ids: dict[str, int]

    def auth(self, who: str = "rina") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(sessions, clock) -> tuple[dict[str, int], dict[str, str]]:
    """Rina and Karim (agents); Rahim Uddin (Rina's, two orders, a call with a follow-up due today,
    a wife), Karim Ahmed (Karim's), Rahim Khan (no orders); a Blue Kettle. Returns ids and one token per agent."""
    now = clock.now()
    with sessions.begin() as session:
        rina = make_user(session, "Rina Akter")
        karim = make_user(session, "Karim Hasan")
        kettle = make_product(session, "Blue Kettle", price=4500)
        rahim = make_customer(session, "Rahim Uddin", phone=RAHIM_PHONE, email="rahim@example.com", city="Dhaka",
                              assigned_to=rina)
        other = make_customer(session, "Karim Ahmed", phone="01812345678", city="Chittagong", assigned_to=karim)
        namesake = make_customer(session, "Rahim Khan", city="Sylhet")
        make_order(session, rahim, at=date(2026, 6, 1), amount=4500, items=[kettle])
        make_order(session, rahim, at=date(2026, 10, 1), amount=4500, items=[kettle])
        make_order(session, other, at=date(2026, 9, 1), amount=1200, items=["Tea Set"])
        make_interaction(session, rahim, at=datetime(2026, 11, 14, 11, 0), outcome="callback", notes="call back",
                         follow_up_at=date(2026, 11, 20), user=rina)
        make_family(session, rahim, "Sarah Uddin", relationship="spouse", date_of_birth=date(1990, 11, 22))
        refresh_stats(session, now=now)
        refresh_derived(session, clock.today(), tz="Asia/Dhaka")
        ids = {"rina": rina.id, "karim": karim.id, "rahim": rahim.id, "other": other.id, "namesake": namesake.id, "kettle": kettle.id}
        tokens = {"rina": issue_token(session, rina, now=now).token,
                  "karim": issue_token(session, karim, now=now).token}
    return ids, tokens


def api_settings(db_url: str, tmp_path, **overrides) -> Settings:
    values = {"data_dir": tmp_path, "database_url": db_url, "llm_backend": "offline", "timezone": "Asia/Dhaka",
              "rfm_monetary_thresholds": (5000, 2500, 1000, 500), "chat_rate_limit_per_minute": 0}
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_api(db_url, tmp_path, sessions, clock):
    """``make_api(**settings)`` -> Api; agents are closed at the end."""
    made: list[tuple[Agent, TestClient]] = []
    world: dict = {}

    def make(**overrides) -> Api:
        if not world:
            world["ids"], world["tokens"] = build_world(sessions, clock)
        agent = Agent(api_settings(db_url, tmp_path, **overrides), sessions, clock)
        app = create_app(agent=agent)
        client = TestClient(app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1:8360")  # a loopback Host
        made.append((agent, client))
        return Api(client, app, agent, sessions, world["tokens"], world["ids"])

    yield make
    for agent, client in made:
        client.close()
        agent.close()


@pytest.fixture
def api(make_api) -> Api:
    return make_api()


@contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """The app under a real uvicorn on a free loopback port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
