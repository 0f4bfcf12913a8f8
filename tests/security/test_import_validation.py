"""Breaks 13 and 6 (import): files that used to be half-imported, silently cut, or crash with a
traceback (names and phones in it) now end with a clear row/column message and nothing imported,
the same on both engines."""
from __future__ import annotations

import codecs

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import channels.cli.data  # noqa: F401  (registers the commands on the app)
from channels.cli import app
from domain.db import transaction
from domain.models import Customer, Interaction, Order
from tests.factories import make_customer

runner = CliRunner()
HEAD = "name,phone,city\n"
GOOD = "Rahim Uddin,01712345678,Dhaka\n"


def counts(sessions) -> tuple[int, int, int]:
    with sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Customer, Order, Interaction))


def run_import(tmp_path, kind: str, raw: bytes):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(raw)
    return runner.invoke(app, ["import", kind, str(path)])


CUSTOMER_FILES = {
    "extra cells": ((HEAD + GOOD + "Fatema Begum,01812345678,Sylhet,01912345678\n").encode(),
                    "row 3", "header has 3 columns"),
    "latin-1": ((HEAD + GOOD + "José Martín,01812345678,Sylhet\n").encode("latin-1"), "row 3", "not UTF-8"),
    "utf-16": (codecs.BOM_UTF16_LE + (HEAD + GOOD).encode("utf-16-le"), "row 1", "UTF-16"),
    "over-long cell": ((HEAD + GOOD + "F" * 500 + ",01812345678,Sylhet\n").encode(), "row 3, column name",
                       "at most 200"),
    "huge quoted cell": ((HEAD + GOOD + '"' + "x" * 200_000 + '",01812345678,Sylhet\n').encode(), "row 3", ""),
    "duplicated header": (("name,phone,name\n" + "Rahim Uddin,01712345678,Rahim U\n").encode(), "row 1, column name",
                          "appears twice"),
    "NUL in a name": ((HEAD + GOOD + "Fatema\x00 Begum,01812345678,Sylhet\n").encode(), "row 3, column name",
                      "control character"),
}


@pytest.mark.parametrize("case", sorted(CUSTOMER_FILES))
def test_bad_customer_files_import_nothing_and_say_where(cli_env, sessions, tmp_path, case):
    raw, where, what = CUSTOMER_FILES[case]
    result = run_import(tmp_path, "customers", raw)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "nothing was imported" in result.output
    assert where in result.output and what in result.output, result.output
    assert counts(sessions) == (0, 0, 0)


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "1899-12-30"])
def test_orders_and_interactions_dated_year_1_or_1900_are_refused(cli_env, sessions, tmp_path, day):
    with transaction(sessions) as s:
        make_customer(s, "Rahim Uddin", phone="01712345678")
    orders = f"customer_phone,ordered_at,amount\n01712345678,2026-10-01,4500\n01712345678,{day},1200\n"
    calls = f"customer_phone,occurred_at,type,notes\n01712345678,{day},call,asked about kettles\n"
    for kind, body in (("orders", orders), ("interactions", calls)):
        result = run_import(tmp_path, kind, body.encode())
        assert result.exit_code == 1, result.output
        assert "before 1970" in result.output and "Traceback" not in result.output
    assert counts(sessions) == (1, 0, 0)
