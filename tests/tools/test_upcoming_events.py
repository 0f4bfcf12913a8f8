"""upcoming_events on a small world: customers' and family members' birthdays and anniversaries."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_customer, make_family, make_user
from tests.tools.conftest import call


@pytest.fixture
def world(build):
    def make(s):
        rina, karim = make_user(s, "Rina Akter"), make_user(s, "Karim Agent")
        rahim = make_customer(s, "Rahim Uddin", assigned_to=rina, date_of_birth=date(1988, 11, 22),
                              anniversary_date=date(2015, 11, 20))
        # the same wedding as Rahim's: reported once, as his
        make_family(s, rahim, "Sarah Uddin", "spouse", gender="female", date_of_birth=date(1990, 11, 21),
                    anniversary_date=date(2015, 11, 20))
        khan = make_customer(s, "Karim Khan", assigned_to=karim)
        make_family(s, khan, "Ayaan Khan", "child", gender="male", date_of_birth=date(2018, 11, 26))
        make_customer(s, "Nadia Islam", date_of_birth=date(1995, 11, 28))
        make_customer(s, "Erased Person", status="erased", date_of_birth=date(1980, 11, 20))
        return {"rahim": rahim.id, "khan": khan.id}
    return build(make)


def test_the_weeks_events_soonest_first(make_ctx, world):
    result = call("upcoming_events", {}, make_ctx())
    assert result.ok, result.text
    assert (result.start, result.end, result.total) == (date(2026, 11, 20), date(2026, 11, 27), 4)
    assert [(e.customer_name, e.whose, e.kind, e.date, e.years) for e in result.events] == [
        ("Rahim Uddin", "self", "anniversary", date(2026, 11, 20), 11),
        ("Rahim Uddin", "spouse Sarah Uddin", "birthday", date(2026, 11, 21), 36),
        ("Rahim Uddin", "self", "birthday", date(2026, 11, 22), 38),
        ("Karim Khan", "child Ayaan Khan", "birthday", date(2026, 11, 26), 8),
    ]
    assert [e.phrase for e in result.events] == [
        "wedding anniversary today (11 years)", "wife Sarah's birthday tomorrow (turns 36)",
        "birthday in 2 days (turns 38)", "son Ayaan's birthday in 6 days (turns 8)"]
    assert result.text.splitlines() == [
        "4 birthday or anniversary events Fri 20 Nov to Fri 27 Nov 2026:",
        f"- Fri 20 Nov: Rahim Uddin (#{world['rahim']}), wedding anniversary today (11 years)",
        f"- Sat 21 Nov: Rahim Uddin (#{world['rahim']}), wife Sarah's birthday tomorrow (turns 36)",
        f"- Sun 22 Nov: Rahim Uddin (#{world['rahim']}), birthday in 2 days (turns 38)",
        f"- Thu 26 Nov: Karim Khan (#{world['khan']}), son Ayaan's birthday in 6 days (turns 8)",
    ]


def test_window_customer_and_assignment_filters(make_ctx, world):
    ctx = make_ctx("Rina Akter")
    today = call("upcoming_events", {"days": 0}, ctx)
    assert [e.phrase for e in today.events] == ["wedding anniversary today (11 years)"]
    assert today.text.startswith("1 birthday or anniversary event today:")
    longer = call("upcoming_events", {"days": 8}, ctx)
    assert longer.total == 5 and longer.events[-1].customer_name == "Nadia Islam"
    khan = call("upcoming_events", {"customer": "Karim Khan"}, ctx)
    assert [e.person_name for e in khan.events] == ["Ayaan Khan"] and "for Karim Khan" in khan.text
    mine = call("upcoming_events", {"assigned_to_me": True}, ctx)
    assert {e.customer_name for e in mine.events} == {"Rahim Uddin"} and mine.total == 3
    neither = call("upcoming_events", {"customer": "Karim Khan", "assigned_to_me": True}, ctx)
    assert neither.events == [] and neither.text.startswith("No birthdays or anniversaries")
    nadia = call("upcoming_events", {"customer": "nadia"}, ctx)
    assert nadia.total == 0 and "No birthdays or anniversaries Fri 20 Nov to Fri 27 Nov 2026 for Nadia" in nadia.text


def test_many_assigned_customers_are_filtered_without_an_id_list(make_ctx, world, monkeypatch):
    monkeypatch.setattr("tools.upcoming_events.MAX_ID_FILTER", 0)
    mine = call("upcoming_events", {"assigned_to_me": True}, make_ctx("Karim Agent"))
    assert [e.phrase for e in mine.events] == ["son Ayaan's birthday in 6 days (turns 8)"] and mine.total == 1


def test_limit_keeps_the_total(make_ctx, world):
    result = call("upcoming_events", {"limit": 2}, make_ctx())
    assert result.total == 4 and len(result.events) == 2 and "(showing the first 2)" in result.text


@pytest.mark.parametrize("args, error, words", [
    ({"days": -1}, "invalid", "days"),
    ({"days": 400}, "invalid", "days"),
    ({"customer": "Nobody Here"}, "not_found", "Nobody Here"),
    ({"customer": 999}, "not_found", "#999"),
    ({"when": "tomorrow"}, "invalid", "when"),
])
def test_refusals(make_ctx, world, args, error, words):
    result = call("upcoming_events", args, make_ctx())
    assert not result.ok and result.error == error, result
    assert words in result.message
