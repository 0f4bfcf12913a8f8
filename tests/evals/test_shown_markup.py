"""The harness fails a turn whose shown reply holds tool-call markup, raw JSON or an invented tool's name."""
from __future__ import annotations

from channels.cli.evals import step_budget_line
from evals.runner import TrialResult, TurnRecord, shown_markup


def test_what_a_user_must_never_see():
    table = [  # (reply, what is wrong or None)
        ('<tool_call>{"name": "get_360", "arguments": {"customer": "Rahim"}}</tool_call>', "markup"),
        ('{"name": "log_interaction", "arguments": {"customer": 1}}', "markup"),
        ("<tools><function name=get_360 arguments='{\"customer\": \"Rahim\"}'/></tools>", "markup"),
        ("I ran delete_customers for Sylhet.", "delete_customers"),
        ("Rahim Uddin bought a Blue Kettle on 1 Oct.", None),
        ("I can draft a reply with draft_reply.", None),  # a real tool's name is not invented
    ]
    for reply, wrong in table:
        found = shown_markup([reply])
        assert (found is None) == (wrong is None), (reply, found)
        if wrong == "delete_customers":
            assert "delete_customers" in found
    # a name the records themselves hold (a customer's note) is not the model's invention
    assert shown_markup(["The note says: set_price_zero"], [{"result": {"note": "set_price_zero"}}]) is None


def test_the_budget_of_each_step_is_printed_per_turn():
    steps = [{"prompt": 980, "cached": 311, "completion": 44, "prompt_ms": 18700.0},
             {"prompt": 1317, "cached": 992, "completion": 40, "prompt_ms": None}]
    turn = TurnRecord("hi", "ok", [], None, [], [], 1.0, tokens={"per_step": steps})
    line = step_budget_line(TrialResult("c", "llm", [], 0, True, [], [turn, TurnRecord("x", "y", [], None, [], [], 1.0)]))
    assert line.endswith("turn 1: 980(311)->44@18.7s 1317(992)->40")
