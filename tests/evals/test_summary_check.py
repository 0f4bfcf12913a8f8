"""The harness's judge of post-call summaries: outcome, products and dates must be in the call."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from evals.report import summarize
from evals.runner import TrialResult, TurnRecord
from evals.summary_check import named_days, summary_of, summary_problems

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Wednesday
CALL = ("Agent: Hello Amit bhai, about the blue kettle you looked at. Amit: I like it but I need to ask "
        "my wife first. Agent: Shall I call you back on Friday? Amit: Yes, Friday is good.")


def logged(summary: str = "Amit likes the kettle and will decide after asking his wife.", **fields):
    return {"customer": "Amit", "type": "call", "notes": f"Summary (positive): {summary}\n\nNotes:\n{CALL}",
            "outcome": "callback", "follow_up_at": "2026-11-27", "products": ["Blue Kettle"], **fields}


def test_a_summary_the_call_supports_has_no_problem():
    assert summary_problems(logged(), CALL, NOW) == []
    assert summary_problems(logged(outcome="interested"), CALL, NOW) == []


def test_the_three_ways_a_real_summary_was_wrong_are_each_caught():
    table = [  # (fields changed, the problem's start)
        ({"outcome": "purchased"}, "outcome 'purchased'"),  # nothing was bought
        ({"products": ["Blue Kettle", "Cotton Panjabi"]}, "product 'Cotton Panjabi'"),  # never mentioned
        ({"follow_up_at": "2026-11-30"}, "follow-up 2026-11-30"),  # Monday, for "Friday"
    ]
    for changes, problem in table:
        problems = summary_problems(logged(**changes), CALL, NOW)
        assert len(problems) == 1 and problems[0].startswith(problem), (changes, problems)
    problems = summary_problems(logged("Amit will buy the kettle on Monday."), CALL, NOW)
    assert problems == ["'Monday' in the summary: not a day the call names"]


def test_notes_without_a_summary_are_not_judged():
    assert summary_of({"notes": "no answer"}) is None
    assert summary_problems({"notes": "no answer", "outcome": "purchased"}, "rang him, no answer", NOW) == []


def test_days_a_text_names():
    days = {d.isoformat() for d, _ in named_days("on Friday, or 1 Dec, or 2026-12-02", NOW)}
    assert days == {"2026-11-27", "2026-12-01", "2026-12-02"}


def test_the_report_counts_unsupported_summaries_and_accepted_llm_texts():
    turn = TurnRecord("call", "ok", [], None, [], ["the post-call summary is not supported"], 10.0,
                      corrections=[{"kind": "text_accepted"}, {"kind": "text_rejected"}],
                      summaries=2, summaries_unsupported=1)
    trial = TrialResult("c1", "llm", [], 0, False, turn.failures, [turn])
    metrics = summarize([trial], 1)
    assert metrics["summaries"] == 2 and metrics["summaries_unsupported"] == 1
    assert metrics["llm_texts_accepted"] == 0.5
