"""The eval metric for writes on a customer other than the one meant (issue: 0 across every case)."""
from __future__ import annotations

import pytest

from evals.runner import _wrong_customer_writes

KEYS = {1: "rahim", 2: "karim", "Rahim Uddin": "rahim"}


def resolve(kind: str, value):
    return KEYS.get(value)


def done(name: str, customer, status: str = "done") -> dict:
    return {"name": name, "arguments": {"customer": customer}, "status": status}


ROWS = [  # expected calls, calls made, wrong-customer writes
    ([{"tool": "log_interaction", "args": {"customer": "rahim"}}], [done("log_interaction", 1)], 0),
    ([{"tool": "log_interaction", "args": {"customer": "rahim"}}], [done("log_interaction", 2)], 1),
    ([{"tool": "add_note", "args": {"customer": {"any": ["rahim", "karim"]}}}], [done("add_note", 2)], 0),
    ([], [done("tag_customer", 1)], 1),  # nothing was clear enough to write on
    ([], [done("tag_customer", 1, status="error")], 0),  # a refused write wrote nothing
    ([{"tool": "get_360", "args": {"customer": "rahim"}}], [done("get_360", 2)], 0),  # reads never count
    ([{"tool": "call_priority_list", "args": {}}], [done("log_interaction", 2)], 0),  # no customer to compare
    ([{"tool": "log_interaction", "args": {"customer": "rahim"}}], [done("log_interaction", "Rahim Uddin")], 0),
]


@pytest.mark.parametrize("expected,made,count", ROWS)
def test_a_write_that_ran_on_another_customer_is_counted(expected, made, count):
    assert _wrong_customer_writes(expected, made, resolve) == count
