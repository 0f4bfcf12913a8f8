"""Break 8: spreadsheet formula injection in the CSV files the product writes.

Attack: customer names and consent reasons starting with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return), exported with ``c360 consent export``; a spreadsheet would run them as formulas.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

import channels.cli.privacy  # noqa: F401  (registers the commands on the app)
from channels.cli import app
from domain.db import transaction
from domain.models import ConsentEvent
from domain.spreadsheet import safe_cell
from tests.factories import make_customer

runner = CliRunner()
PAYLOADS = ['=HYPERLINK("https://evil.example","Verify")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝1+1"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_safe_cell_neutralises_formulas(value):
    assert safe_cell(value).startswith("'") and safe_cell(value)[1:] == value


@pytest.mark.parametrize("value", ["Rahim Uddin", "+8801712345678", "-1200.50", "2026-11-20", 42, -5, None, True])
def test_safe_cell_keeps_plain_values(value):
    assert safe_cell(value) == value


def test_consent_export_neutralises_formulas(cli_env, sessions, tmp_path):
    with transaction(sessions) as s:
        for n, payload in enumerate(PAYLOADS):
            customer = make_customer(s, payload, phone=f"0171234{n:04d}")
            s.add(ConsentEvent(customer_id=customer.id, channel="sms", opted_in=False, source="agent",
                               reason=payload, occurred_at=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    out = tmp_path / "consent.csv"
    result = runner.invoke(app, ["consent", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    stdout = runner.invoke(app, ["consent", "export"]).stdout
    with out.open(encoding="utf-8", newline="") as handle:
        written = handle.read()
    for text in (written, stdout):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == len(PAYLOADS)
        for row in rows:
            for column in ("customer_name", "reason"):
                assert row[column][:1] == "'", f"{column} {row[column]!r} would run as a formula"
                assert row[column][1:] in PAYLOADS  # nothing lost but the neutralising quote
