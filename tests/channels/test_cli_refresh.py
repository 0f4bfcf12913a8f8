"""`c360 refresh`: temperatures and stages follow the date, not only the writes."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import channels.cli.admin  # noqa: F401  (registers the command)
from channels.cli import app
from domain import stats
from domain.models import Customer
from domain.settings import get_settings
from tests.factories import make_customer, make_order


@pytest.fixture
def cli_env(db_url, monkeypatch):
    def at(now: str) -> None:
        monkeypatch.setenv("C360_DATABASE_URL", db_url)
        monkeypatch.setenv("C360_NOW", now)
        get_settings.cache_clear()

    yield at
    get_settings.cache_clear()


def test_a_hot_buyer_cools_as_the_days_pass(sessions, cli_env):
    with sessions.begin() as session:
        rahim = make_customer(session, "Rahim Uddin")
        make_order(session, rahim, at=date(2026, 11, 15), amount=4500)
        stats.refresh_stats(session)
        stats.refresh_derived(session, date(2026, 11, 20))
    with sessions() as session:
        assert session.scalar(select(Customer.temperature)) == "hot"

    cli_env("2026-11-20T10:30:00+06:00")
    result = CliRunner().invoke(app, ["refresh"])
    assert result.exit_code == 0 and result.output.startswith("0 customers changed"), result.output

    cli_env("2027-06-01T10:30:00+06:00")  # 198 days after the only order
    result = CliRunner().invoke(app, ["refresh"])
    assert result.exit_code == 0 and result.output.startswith("1 customers changed"), result.output
    with sessions() as session:
        temperature, stage = session.execute(select(Customer.temperature, Customer.lifecycle_stage)).one()
    assert (temperature, stage) == ("cold", "inactive")
