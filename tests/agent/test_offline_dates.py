"""Relative dates, times and durations, resolved against Friday 2026-11-20 10:30 Asia/Dhaka."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.offline.slots.dates import WEEKDAYS, extract_temporal, weekday_date
from agent.offline.text import normalise, tokenize

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))


def temporal(text: str, now: datetime = NOW):
    return extract_temporal(tokenize(normalise(text)), now)


@pytest.mark.parametrize("text,expected", [
    ("today", "2026-11-20"), ("ajke", "2026-11-20"), ("tomorrow", "2026-11-21"), ("tmrw", "2026-11-21"),
    ("kal", "2026-11-21"), ("porshu", "2026-11-22"), ("day after tomorrow", "2026-11-22"),
    ("yesterday", "2026-11-19"), ("gotokal", "2026-11-19"), ("kal call dilam, dhoreni", "2026-11-19"),
    ("kal abar call dibo", "2026-11-21"),
    ("Friday", "2026-11-27"), ("this friday", "2026-11-20"), ("next friday", "2026-11-27"),
    ("monday", "2026-11-23"), ("next monday", "2026-11-23"), ("on wed", "2026-11-25"),
    ("last friday", "2026-11-13"), ("shombar", "2026-11-23"), ("budhbar", "2026-11-25"),
    ("next week", "2026-11-23"), ("next month", "2026-12-01"), ("end of month", "2026-11-30"),
    ("end of the month", "2026-11-30"), ("in 3 days", "2026-11-23"), ("3 din pore", "2026-11-23"),
    ("after 2 weeks", "2026-12-04"), ("in a week", "2026-11-27"), ("a month later", "2026-12-20"),
    ("in a couple of days", "2026-11-22"), ("2 days ago", "2026-11-18"),
    ("on the 5th", "2026-12-05"), ("on the 25th", "2026-11-25"), ("Dec 2", "2026-12-02"),
    ("2 dec", "2026-12-02"), ("2nd of December", "2026-12-02"), ("2/12", "2026-12-02"),
    ("March 5", "2027-03-05"), ("5 March 2015", "2015-03-05"), ("1990-11-22", "1990-11-22"),
    ("22/11/1990", "1990-11-22"), ("22-11-1985", "1985-11-22"), ("22.11.90", "1990-11-22"),
    ("November 22, 1990", "1990-11-22"),
    # month first, with an ordinal or an abbreviation's full stop
    ("March 3rd", "2027-03-03"), ("Dec 5", "2026-12-05"), ("Dec. 5th", "2026-12-05"), ("sept 30", "2027-09-30"),
    # written-out counts and a fortnight
    ("in two weeks", "2026-12-04"), ("two weeks from now", "2026-12-04"), ("in a fortnight", "2026-12-04"),
    ("a fortnight later", "2026-12-04"), ("in three days", "2026-11-23"),
    # a day told in the past tense is the last such day, before or after the verb
    ("met her on tuesday", "2026-11-17"), ("called him wednesday", "2026-11-18"),
    ("on monday I called her", "2026-11-16"), ("monday e call dilam", "2026-11-16"),
    ("on monday I will call her", "2026-11-23"), ("call back monday, he was busy", "2026-11-23"),
    ("met him on Sept. 2nd", "2026-09-02"), ("on 2nd September I visited him", "2026-09-02"),
    ("follow up on March 3rd", "2027-03-03"),
])
def test_dates(text, expected):
    found = temporal(text).dates
    assert found, text
    assert found[0].day.isoformat() == expected


def test_a_date_without_year_says_so():
    assert temporal("Dec 2").dates[0].has_year is False
    assert temporal("2 Dec 2026").dates[0].has_year is True


@pytest.mark.parametrize("text,expected", [
    ("tomorrow at 5pm", time(17, 0)), ("tomorrow at 5", time(17, 0)), ("tomorrow 10am", time(10, 0)),
    ("tomorrow 17:30", time(17, 30)), ("kal bikel", time(16, 0)), ("kal shondha", time(18, 0)),
    ("porshu shondha 7 ta", time(19, 0)), ("monday morning", time(10, 0)), ("kal 11 tay", time(11, 0)),
    ("friday 4 baje", time(16, 0)), ("tomorrow 5.30 pm", time(17, 30)), ("tomorrow night", time(20, 0)),
])
def test_times_attach_to_their_date(text, expected):
    assert temporal(text).dates[0].time == expected


def test_a_time_alone_is_loose():
    assert temporal("call back at 5pm").loose_time[1] == time(17, 0)


@pytest.mark.parametrize("text,seconds", [
    ("talked for 10 minutes", 600), ("10 min call", 600), ("5 mins", 300), ("half an hour", 1800),
    ("1 hour", 3600), ("for 2 hrs", 7200), ("90 seconds", 90),
    ("1h30m", 5400), ("1h 30m", 5400), ("1 hour 30 min", 5400), ("1 hour and 30 minutes", 5400),
    ("90 mins", 5400), ("1.5 hours", 5400), ("an hour and a half", 5400), ("an hour and half", 5400),
    ("1 hr 30", 5400), ("1 ghonta half", 5400), ("lasted 1:30 hrs", 5400), ("2 hrs 15 mins", 8100),
    ("twenty minutes", 1200), ("৪৫ মিনিট", 2700),
])
def test_durations(text, seconds):
    assert temporal(text).duration_seconds == seconds


@pytest.mark.parametrize("text,days", [
    ("this week", 7), ("next 10 days", 10), ("coming 2 weeks", 14), ("this month", 11),
])
def test_windows(text, days):
    assert temporal(text).window_days == days


def test_phone_numbers_are_not_dates():
    assert temporal("01712-345678").dates == []


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.sampled_from(sorted(WEEKDAYS)))
def test_a_plain_weekday_is_within_the_next_seven_days(today, name):
    resolved = weekday_date(today, WEEKDAYS[name], None)
    assert 1 <= (resolved - today).days <= 7
    assert resolved.weekday() == WEEKDAYS[name]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 6))
def test_next_weekday_is_in_next_week_and_this_weekday_is_not_in_the_past(today, weekday):
    next_monday = today + timedelta(days=7 - today.weekday())
    nxt = weekday_date(today, weekday, "next")
    assert next_monday <= nxt < next_monday + timedelta(days=7)
    this = weekday_date(today, weekday, "this")
    assert 0 <= (this - today).days <= 6 and this.weekday() == weekday


@given(st.integers(1, 60))
def test_in_n_days(n):
    assert temporal(f"in {n} days").dates[0].day == NOW.date() + timedelta(days=n)
