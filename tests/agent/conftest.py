"""Small worlds and agents for the agent tests: real databases, a scripted or mocked model."""
from __future__ import annotations

import uuid

import pytest

from agent.runner import Agent
from domain.enums import Role
from domain.settings import Settings
from tests.factories import make_customer, make_dropoff, make_product, make_user
from tools.context import Actor

RAHIM_PHONE = "01911223344"
RAHIM_EMAIL = "rahim@example.com"


@pytest.fixture
def world(sessions) -> dict:
    """Rina (agent) with two customers, Rahim (phone, email, an open cart) and Karim, and a kettle."""
    with sessions() as session, session.begin():
        rina = make_user(session, "Rina Akter")
        rahim = make_customer(session, "Rahim Uddin", phone=RAHIM_PHONE, email=RAHIM_EMAIL, city="Dhaka",
                              assigned_to=rina)
        karim = make_customer(session, "Karim Ahmed", phone="01812345678", city="Chittagong", assigned_to=rina)
        kettle = make_product(session, "Blue Kettle", price=4500)
        make_dropoff(session, rahim, at=__import__("datetime").date(2026, 11, 18), cart_value=5500, product=kettle)
        ids = {"rina": rina.id, "rahim": rahim.id, "karim": karim.id, "kettle": kettle.id}
    return ids


@pytest.fixture
def actor(world) -> Actor:
    return Actor(id=world["rina"], name="Rina Akter", role=Role.agent)


@pytest.fixture
def settings_for(db_url, tmp_path):
    """Settings on the test database; LLM retries wait no time."""

    def build(**overrides) -> Settings:
        values = dict(data_dir=tmp_path, database_url=db_url, llm_retry_wait_seconds=0.0, llm_max_retries=2,
                      llm_timeout_seconds=5.0)
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def agents(sessions, clock):
    """Build agents; every one is closed at the end of the test."""
    made: list[Agent] = []

    def build(settings: Settings, **kwargs) -> Agent:
        agent = Agent(settings, sessions, clock, **kwargs)
        made.append(agent)
        return agent

    yield build
    for agent in made:
        agent.close()


@pytest.fixture
def thread_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
