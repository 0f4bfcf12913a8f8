"""Upcoming birthdays and anniversaries: window, year wrap, 29 February, family, erasure."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.events import (
    UpcomingEvent,
    celebration_date,
    events_in_window,
    key_runs,
    next_occurrence,
    relation_word,
    upcoming_events,
    window_keys,
)
from tests.factories import make_customer, make_family

TODAY = date(2026, 11, 20)


def test_customer_and_family_events_in_the_window(session):
    rahim = make_customer(
        session,
        "Rahim Uddin",
        date_of_birth=date(1988, 11, 22),
        anniversary_date=date(2015, 11, 20),
    )
    make_family(
        session,
        rahim,
        "Sarah Uddin",
        "spouse",
        gender="female",
        date_of_birth=date(1990, 11, 21),
        anniversary_date=date(2015, 11, 20),
    )  # the same wedding: reported once
    make_family(
        session, rahim, "Tanvir Uddin", "child", gender="male", date_of_birth=date(2018, 12, 1)
    )
    make_customer(session, "Karim Mia", date_of_birth=date(1970, 11, 28))  # 8 days: outside 7

    events = upcoming_events(session, TODAY, days=7)

    assert [(e.kind, e.whose, e.event_date, e.days_until, e.years) for e in events] == [
        ("anniversary", "self", date(2026, 11, 20), 0, 11),
        ("birthday", "spouse Sarah Uddin", date(2026, 11, 21), 1, 36),
        ("birthday", "self", date(2026, 11, 22), 2, 38),
    ]
    sarah = events[1]
    assert sarah.customer_id == rahim.id and sarah.person_name == "Sarah Uddin"
    assert sarah.relationship == "spouse" and sarah.family_member_id is not None
    assert sarah.phrase() == "wife Sarah's birthday tomorrow (turns 36)"
    assert events[0].phrase() == "wedding anniversary today (11 years)"
    assert [e.whose for e in upcoming_events(session, TODAY, days=11)][-1] == "child Tanvir Uddin"


def test_year_wrap(session):
    make_customer(session, "New Year", date_of_birth=date(1990, 1, 2))
    make_customer(session, "Old Year", date_of_birth=date(1991, 12, 31))
    make_customer(session, "Too Late", date_of_birth=date(1992, 1, 3))

    events = upcoming_events(session, date(2026, 12, 30), days=3)

    assert [(e.customer_name, e.event_date, e.days_until, e.years) for e in events] == [
        ("Old Year", date(2026, 12, 31), 1, 35),
        ("New Year", date(2027, 1, 2), 3, 37),
    ]


def test_29_february_is_celebrated_on_28_february_in_common_years(session):
    leapling = make_customer(session, "Leap Day", date_of_birth=date(2000, 2, 29))

    common = upcoming_events(session, date(2027, 2, 27), days=1)
    assert [(e.event_date, e.days_until, e.years) for e in common] == [(date(2027, 2, 28), 1, 27)]
    # in a leap year the 28th is not the day, the 29th is
    assert upcoming_events(session, date(2028, 2, 27), days=1) == []
    leap = upcoming_events(session, date(2028, 2, 27), days=2)
    assert [(e.customer_id, e.event_date, e.years) for e in leap] == [
        (leapling.id, date(2028, 2, 29), 28)
    ]


def test_erased_customers_and_the_id_filter(session):
    kept = make_customer(session, "Kept", date_of_birth=date(1980, 11, 21))
    make_customer(session, "Other", date_of_birth=date(1981, 11, 21))
    gone = make_customer(session, "Gone", date_of_birth=date(1982, 11, 21), status="erased")
    make_family(session, gone, "Gone Spouse", "spouse", date_of_birth=date(1983, 11, 21))

    assert {e.customer_name for e in upcoming_events(session, TODAY)} == {"Kept", "Other"}
    assert [
        e.customer_id for e in upcoming_events(session, TODAY, customer_ids=[kept.id, gone.id])
    ] == [kept.id]
    assert upcoming_events(session, TODAY, customer_ids=[]) == []


@pytest.mark.parametrize("days", [-1, 367, 2.5, True])
def test_bad_window_is_refused(session, days):
    with pytest.raises(DomainError, match="days must be"):
        upcoming_events(session, TODAY, days=days)


def test_relation_words():
    assert relation_word("spouse", "female") == "wife"
    assert relation_word("parent", "male") == "father"
    assert relation_word("child", None) == "child"
    assert relation_word("other", "female") == "family member"


def test_window_keys_cover_the_window_once():
    keys = window_keys(date(2027, 2, 25), 5)
    assert keys["02-28"] == keys["02-29"] == date(2027, 2, 28)
    assert keys["03-02"] == date(2027, 3, 2)
    assert len(window_keys(TODAY, 366)) == 366  # a date seen twice keeps its first occurrence


def test_key_runs_merge_consecutive_days():
    assert key_runs(window_keys(TODAY, 7)) == [("11-20", "11-27")]
    assert key_runs(window_keys(date(2026, 12, 30), 3)) == [("01-01", "01-02"), ("12-30", "12-31")]
    # common year: 02-29 is celebrated on the 28th and joins the run
    assert key_runs(window_keys(date(2027, 2, 25), 5)) == [("02-25", "03-02")]
    assert key_runs(window_keys(date(2028, 2, 25), 3)) == [("02-25", "02-28")]
    assert key_runs(window_keys(TODAY, 366)) == [("01-01", "12-31")]


@pytest.mark.parametrize(
    "today, days",
    [
        (TODAY, 7),
        (date(2026, 12, 28), 6),
        (date(2027, 2, 27), 1),
        (date(2028, 2, 28), 0),
        (TODAY, 366),
    ],
)
def test_sql_filter_matches_every_calendar_day_like_python(session, today, days):
    # one customer born on each day of a leap year, anniversaries 100 days later
    rows = []
    for n in range(366):
        born = date(1988, 1, 1) + timedelta(days=n)
        married = born + timedelta(days=100)
        c = make_customer(session, f"C{n}", date_of_birth=born, anniversary_date=married)
        rows.append((c.id, c.name, None, born, married))
    found = [
        (e.customer_id, e.kind, e.event_date) for e in upcoming_events(session, today, days=days)
    ]
    expected = [
        (e.customer_id, e.kind, e.event_date) for e in events_in_window(today, days, rows, [])
    ]
    assert found == expected and found


def test_events_in_window_reads_loaded_rows():
    rows = [(7, "Rina", "female", date(1990, 11, 25), None)]
    events = events_in_window(TODAY, 30, rows, [])
    assert events == [
        UpcomingEvent(
            customer_id=7,
            customer_name="Rina",
            kind="birthday",
            whose="self",
            person_name="Rina",
            relationship="self",
            family_member_id=None,
            gender="female",
            original_date=date(1990, 11, 25),
            event_date=date(2026, 11, 25),
            days_until=5,
            years=36,
        )
    ]


@given(
    original=st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    today=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
)
def test_next_occurrence_property(original, today):
    day = next_occurrence(original, today)
    assert today <= day < today + timedelta(days=367)
    if original.month == 2 and original.day == 29 and not calendar.isleap(day.year):
        assert (day.month, day.day) == (2, 28)
    else:
        assert (day.month, day.day) == (original.month, original.day)
    assert celebration_date(original, day.year) == day


@given(
    today=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    days=st.integers(0, 366),
    original=st.dates(date(1900, 1, 1), date(2030, 12, 31)),
)
def test_events_in_window_agree_with_next_occurrence(today, days, original):
    events = events_in_window(today, days, [(1, "X", None, original, None)], [])
    expected = next_occurrence(original, today)
    if expected <= today + timedelta(days=days):
        assert [(e.event_date, e.days_until) for e in events] == [
            (expected, (expected - today).days)
        ]
    else:
        assert events == []
