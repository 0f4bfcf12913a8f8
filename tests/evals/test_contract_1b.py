"""The harness follows CONTRACT §2 as extended with §1b: new fixture records, ``result:`` on expected
calls, refused writes that are no extra write, and ``expect_db`` on every listed entity."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.backends.scripted import ScriptedModel
from agent.decisions import Reply, ToolCall, ToolCalls
from agent.runner import Agent
from evals.case import Case, CaseFileError, load_cases
from evals.runner import Workspace, run_case

HERE = Path(__file__).parent / "contract"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    space = Workspace(tmp_path_factory.mktemp("contract-1b"))
    yield space
    space.cleanup()


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("C360_LLM_BASE_URL", raising=False)


def cases() -> dict[str, Case]:
    return {c.id: c for c in load_cases([HERE])}


def test_a_case_file_written_from_the_contract_loads():
    case = cases()["contract-1b-world-and-checks"]
    rahim = case.fixture.customers[0]
    assert [o.key for o in rahim.opportunities] == ["eid", "spring"]
    assert [(n.text, n.pinned) for n in rahim.notes][0] == ("Prefers bKash", True)
    assert rahim.family[0].gender == "female" and str(rahim.family[0].anniversary_date) == "2015-02-14"
    assert case.tags == ["contract", "harness"] and case.description.startswith("a world")
    assert case.turns[0].expect.calls[0].result == {"ok": True, "follow_up": {"date": date(2026, 11, 27)}}
    assert {e.entity for e in case.expect_db} == {"follow_ups", "interactions", "family_members", "dropoffs",
                                                 "consent", "notes", "tags", "opportunities"}


def test_an_unknown_entity_is_a_clear_loading_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('- id: x\n  today: "2026-11-20T10:30:00+06:00"\n  turns: [{user: hi}]\n'
                   '  expect_db: [{entity: customers_table, count: 1}]\n')
    with pytest.raises(CaseFileError, match="expect_db.0.entity"):
        load_cases([bad])


@pytest.mark.parametrize("case_id", ["contract-1b-world-and-checks", "contract-1b-opted-out-draft"])
def test_contract_cases_run_unchanged_with_the_offline_model(workspace, case_id):
    result = run_case(cases()[case_id], workspace)
    assert result.passed, result.failures


def _scripted(*steps):
    return lambda settings, sessions, clock: Agent(settings, sessions, clock, backend=ScriptedModel(list(steps)))


DEAL_CASE = {
    "id": "scripted-deal", "today": "2026-11-20T10:30:00+06:00", "user": {"name": "Mona", "role": "manager"},
    "fixture": {"customers": [{"key": "karim", "name": "Karim Traders", "phone": "01812345678",
                               "opportunities": [{"key": "eid", "name": "Eid bulk order", "stage": "proposal",
                                                  "value": 250000, "probability": 50}]}]},
}


def test_a_refused_write_is_no_extra_write_and_result_matches_the_error(workspace):
    case = Case.model_validate({**DEAL_CASE, "turns": [{
        "user": "mark it won at 90 percent",
        "expect": {"calls": [{"tool": "update_opportunity", "args": {"customer": "karim", "opportunity": "eid"},
                              "result": {"ok": False, "error": "invalid", "field": "probability"}}]}}],
        "expect_db": [{"entity": "opportunities", "where": {"key": "eid"},
                       "fields": {"status": "open", "probability": 50}}]})
    bad = ToolCalls([ToolCall("update_opportunity", {"customer": "Karim Traders", "opportunity": "Eid bulk order",
                                                     "status": "won", "probability": 90})])
    result = run_case(case, workspace, agent_factory=_scripted(bad, Reply("refused")))
    assert result.passed, result.failures


def test_a_write_the_case_did_not_expect_but_that_was_refused_is_not_extra(workspace):
    case = Case.model_validate({**DEAL_CASE, "turns": [{"user": "hm", "expect": {"calls": []}}]})
    bad = ToolCalls([ToolCall("update_opportunity", {"customer": "Karim Traders", "stage": "signing"})])
    result = run_case(case, workspace, agent_factory=_scripted(bad, Reply("no such stage")))
    assert not any("unexpected write" in f for f in result.failures)
    # ... but "calls: []" still means no tool at all
    assert any("expected no tool call" in f for f in result.failures)


def test_result_and_expect_db_failures_say_what_differs(workspace):
    case = Case.model_validate({**DEAL_CASE, "turns": [{
        "user": "move it to negotiation",
        "expect": {"calls": [{"tool": "update_opportunity", "args": {"opportunity": "eid"},
                              "result": {"opportunity": {"stage": "proposal"}}}]}}],
        "expect_db": [{"entity": "opportunities", "where": {"key": "eid"}, "fields": {"stage": "proposal"}},
                      {"entity": "opportunities", "where": {"customer": "karim"}, "count": 2},
                      {"entity": "notes", "where": {"colour": "red"}}]})
    move = ToolCalls([ToolCall("update_opportunity", {"customer": "Karim Traders", "opportunity": "eid bulk",
                                                      "stage": "negotiation"})])
    result = run_case(case, workspace, agent_factory=_scripted(move, Reply("moved")))
    text = "\n".join(result.failures)
    assert "result.opportunity.stage: expected 'proposal', got 'negotiation'" in text
    assert "stage: expected 'proposal', got 'negotiation'" in text
    assert "expected 2 row(s), found 1" in text
    assert "unknown field(s) ['colour']" in text
    # the call did not match (its result differs), so the replay of the expectation cannot stand in for it
    assert "final database differs" in text and result.db_diff
