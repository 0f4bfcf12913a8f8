"""``c360 clv`` through typer's CliRunner: the CDNOW lines; fit and show on a real database."""

from __future__ import annotations

import re
from datetime import date

import pytest
from typer.testing import CliRunner

import channels.cli.clv  # noqa: F401  (registers the clv commands on the app)
from channels.cli import app
from domain.settings import get_settings
from tests.domain.test_clv import CDNOW_SAMPLE
from tests.factories import make_customer, make_order

runner = CliRunner()


def test_cdnow_prints_the_published_estimates():
    result = runner.invoke(app, ["clv", "cdnow", str(CDNOW_SAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "bgnbd r=0.243 alpha=4.414 a=0.793 b=2.426 ll=-9582.4",
        "gamma_gamma p=6.25 q=3.74 gamma=15.44",
    ]


def test_cdnow_holdout_adds_a_third_line():
    result = runner.invoke(app, ["clv", "cdnow", str(CDNOW_SAMPLE), "--holdout"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r"holdout weeks=39 predicted=\d+\.\d actual=1882", lines[2])


def test_cdnow_missing_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["clv", "cdnow", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


@pytest.fixture
def cli_env(db_url, monkeypatch):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_NOW", "2026-11-20T10:30:00+06:00")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_fit_then_show(cli_env, session):
    rahim = make_customer(session, "Rahim Uddin")
    for day, amount in [
        (date(2026, 3, 1), 1200),
        (date(2026, 6, 10), 800),
        (date(2026, 10, 2), 1500),
    ]:
        make_order(session, rahim, at=day, amount=amount)
    session.commit()

    fitted = runner.invoke(app, ["clv", "fit"])
    assert fitted.exit_code == 0, fitted.output
    assert re.match(
        r"clv model \d+: method=heuristic as_of=2026-11-20 customers=1 repeat_customers=1",
        fitted.output,
    )
    assert "at least 50" in fitted.output

    shown = runner.invoke(app, ["clv", "show", str(rahim.id)])
    assert shown.exit_code == 0, shown.output
    fields = dict(line.split(": ", 1) for line in shown.output.splitlines())
    assert fields["method"] == "heuristic" and fields["repeat_purchases"] == "2"
    assert 0 < float(fields["probability_alive"]) <= 1 and fields["currency"] == "BDT"

    missing = runner.invoke(app, ["clv", "show", "424242"])
    assert missing.exit_code == 1 and "no customer with id 424242" in missing.stderr
