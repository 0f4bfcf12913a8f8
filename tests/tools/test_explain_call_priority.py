"""explain_call_priority: the tool's answer and text for each rule, both engines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.models import Tag
from domain.stats import refresh_derived, refresh_stats
from tests.factories import DHAKA, make_customer, make_interaction, make_user
from tests.tools.conftest import call

TODAY = date(2026, 11, 20)


@pytest.fixture
def world(build):
    def make(s):
        sumi = make_user(s, "Sumi Akter")
        ids = {}
        for k in range(3):  # three follow-ups due today, ahead of everybody
            c = make_customer(s, f"Due Person{k}")
            make_interaction(s, c, at=TODAY - timedelta(days=3), outcome="callback", follow_up_at=TODAY)
        rahim = make_customer(s, "Rahim Uddin", assigned_to=sumi)
        make_interaction(s, rahim, at=TODAY - timedelta(days=40), outcome="callback",
                         follow_up_at=TODAY - timedelta(days=35))
        ids["rahim"] = rahim.id
        stopped = make_customer(s, "Selina Stop")
        s.add(Tag(customer_id=stopped.id, tag="do-not-call"))
        ids["stopped"] = stopped.id
        s.flush()
        refresh_stats(s)
        refresh_derived(s, TODAY, tz=DHAKA)
        return ids
    return build(make)


def test_on_the_list(make_ctx, world):
    result = call("explain_call_priority", {"customer": "Rahim Uddin", "limit": 10}, make_ctx())
    assert result.ok and result.on_list and (result.rule, result.rank) == ("on_list", 4)
    assert [(f.name, f.points) for f in result.factors] == [("lapsed_follow_up", 8.0)]
    assert result.text.startswith("Rahim Uddin is #4 on today's call list")
    assert "lapsed follow-up: due 35 days ago" in result.text and "(+8)" in result.text


def test_below_the_cut(make_ctx, world):
    result = call("explain_call_priority", {"customer": world["rahim"], "limit": 3}, make_ctx())
    assert not result.on_list and result.rule == "below_cut" and result.rank == 4
    assert result.cut_points == 50.0
    assert "is not on today's call list: Rahim Uddin ranks #4 of 4" in result.text


def test_assigned_elsewhere_and_filtered(make_ctx, world):
    mine = call("explain_call_priority", {"customer": world["rahim"], "assigned_to_me": True},
                make_ctx("Rina Akter"))
    assert mine.rule == "assigned_elsewhere" and "assigned to Sumi Akter" in mine.text
    assert "Without the list's filters Rahim Uddin ranks #4 of 4" in mine.text
    hot = call("explain_call_priority", {"customer": world["rahim"], "temperature": "Hot"}, make_ctx())
    assert hot.rule == "filtered" and "hot customers only" in hot.text


def test_do_not_call(make_ctx, world):
    result = call("explain_call_priority", {"customer": world["stopped"]}, make_ctx())
    assert result.ok and result.rule == "do_not_call" and result.factors == []
    assert result.text == "Selina Stop is not on today's call list: Selina Stop is tagged do-not-call: " \
        "never on a call list."


def test_bad_input_is_a_clear_error(make_ctx, world):
    assert call("explain_call_priority", {"customer": world["rahim"], "date": "2026-11-01"},
                make_ctx()).error == "invalid"
    assert call("explain_call_priority", {"customer": "Nobody Here"}, make_ctx()).error == "not_found"
