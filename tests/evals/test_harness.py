"""The harness end to end with the offline model: pass, decline, out of scope, a failing case, reports."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import channels.cli.evals  # noqa: F401  (registers `c360 eval`)
from channels.cli import app
from evals.case import load_cases
from evals.harness import run_cases
from evals.html import render_html
from evals.report import compare, score_lines

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def report(tmp_path_factory, monkeypatch_module):
    return run_cases(load_cases([DATA]), model="offline")


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("C360_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.delenv("C360_LLM_BASE_URL", raising=False)
    mp.delenv("C360_LLM_API_KEY", raising=False)
    yield mp
    mp.undo()


def _case(report, case_id):
    return next(c for c in report["cases"] if c["id"] == case_id)


def test_contract_example_passes_with_the_database_check(report):
    case = _case(report, "log-call-followup-friday")
    assert case["passed"], case["failures"]
    trial = case["trials_detail"][0]
    assert trial["db_diff"] == []
    [call] = [c for c in trial["turns"][0]["calls"] if c["name"] == "log_interaction"]
    assert call["status"] == "done"


def test_declined_write_writes_nothing(report):
    case = _case(report, "harness-decline-writes-nothing")
    assert case["passed"], case["failures"]
    turn = case["trials_detail"][0]["turns"][0]
    assert turn["writes_after_decline"] == 0 and turn["approve"] is False


def test_out_of_scope_calls_no_tool(report):
    assert _case(report, "harness-out-of-scope")["passed"]
    assert report["metrics"]["irrelevance_accuracy"] == 1.0


def test_a_wrong_expectation_fails_with_the_argument_and_db_diff(report):
    case = _case(report, "harness-wrong-expectation-fails")
    assert not case["passed"]
    assert any("expected 'whatsapp', got 'call'" in f for f in case["failures"])
    # the agent wrote a call; the replay of the expected whatsapp log differs
    assert any("final database differs" in f for f in case["failures"])
    diff = case["trials_detail"][0]["db_diff"]
    assert {d["side"] for d in diff} == {"actual only", "expected only"}


def test_metrics_and_score_line(report):
    m = report["metrics"]
    assert m["cases"] == 4 and m["pass^1"] == pytest.approx(3 / 4)
    assert m["unconfirmed_write_rate"] == 0 and m["writes_after_decline"] == 0
    assert score_lines(report) == ["pass^1 = 0.750 (3/4)"]
    assert set(report["splits"]) == {"dev", "test"}


def test_html_report_shows_failing_case(report):
    page = render_html(report)
    assert page.startswith("<!doctype html>") and "harness-wrong-expectation-fails" in page
    assert "database diff" in page and "log-call-followup-friday</h3>" not in page


def test_compare_reports(report):
    better = json.loads(json.dumps(report))
    for case in better["cases"]:
        case["passes"] = case["trials"]
    result = compare(report, better)
    assert [c["id"] for c in result["better"]] == ["harness-wrong-expectation-fails"]
    assert result["worse"] == [] and result["unchanged"] == 3


def test_cli_run_ends_with_the_score_line_and_honours_the_floor(tmp_path, monkeypatch_module):
    out = tmp_path / "report.json"
    floor = tmp_path / "floor.json"
    floor.write_text('{"pass^1": 0.9}')
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "run", str(DATA / "decline_and_clarify.yaml"), "--split", "dev",
                                 "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "pass^1 = 1.000 (2/2)"
    assert json.loads(out.read_text())["metrics"]["pass^1"] == 1.0
    result = runner.invoke(app, ["eval", "run", str(DATA), "--quiet", "--floor", str(floor)])
    assert result.exit_code == 1 and "below the floor" in result.output


def test_cli_bad_paths_exit_non_zero(tmp_path):
    result = CliRunner().invoke(app, ["eval", "run", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_floor_per_split_picks_the_run_split_and_falls_back_to_the_whole_run_entry():
    from channels.cli.evals import floor_for

    floors = {"dev": 0.97, "test": 0.9, "pass^1": 0.5}
    assert floor_for(floors, "dev") == 0.97
    assert floor_for(floors, "sealed") == 0.5
    assert floor_for(floors, None) == 0.5
    assert floor_for({"dev": 0.97}, "train") == 0.0
