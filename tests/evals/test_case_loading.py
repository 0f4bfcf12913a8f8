"""The loader reads the contract's format exactly and says precisely what is wrong with a bad file."""
from pathlib import Path

import pytest

from evals.case import CaseFileError, load_cases

DATA = Path(__file__).parent / "data"


def test_the_contract_example_loads():
    [case] = load_cases([DATA / "contract_example.yaml"])
    assert case.id == "log-call-followup-friday"
    rahim = case.fixture.customers[0]
    assert rahim.key == "rahim" and rahim.consent == {"whatsapp": True, "sms": True, "email": False}
    assert case.turns[0].expect.calls[0].args["customer"] == "rahim"


def test_folders_split_and_tags(tmp_path):
    cases = load_cases([DATA])
    assert {c.id for c in cases} >= {"log-call-followup-friday", "harness-out-of-scope"}
    assert {c.split for c in load_cases([DATA], split="dev")} == {"dev"}


def test_unknown_field_names_the_file_and_case(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  today: '2026-11-20T10:30:00+06:00'\n  turns: [{user: hi}]\n  colour: blue\n")
    with pytest.raises(CaseFileError, match=r"bad.yaml: case x: colour: Extra inputs"):
        load_cases([bad])


def test_duplicate_ids_across_files(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("id: same\ntoday: '2026-11-20T10:30:00+06:00'\nturns: [{user: hi}]\n")
    with pytest.raises(CaseFileError, match="case id 'same' is also used in"):
        load_cases([tmp_path])


def test_missing_path():
    with pytest.raises(CaseFileError, match="no such file"):
        load_cases(["/nonexistent/cases"])
