"""add_family_member: the member, its upcoming event, duplicates and impossible dates refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.models import AuditLog, Customer, FamilyMember
from tests.factories import make_customer, make_family
from tests.tools.conftest import audit_rows, call


@pytest.fixture
def rahim(build):
    return build(
        lambda s: make_customer(s, "Rahim Uddin", date_of_birth=date(1988, 3, 2), city="Dhaka").id
    )


def test_adds_a_spouse_and_reports_her_birthday_in_two_days(make_ctx, sessions, rahim):
    ctx = make_ctx()
    result = call(
        "add_family_member",
        {
            "customer": "Rahim Uddin",
            "name": " Sarah  Uddin ",
            "relationship": "Spouse",
            "date_of_birth": "1990-11-22",
            "phone": "01711-000111",
            "gender": "F",
        },
        ctx,
    )
    assert result.ok, result.text
    member = result.member
    assert (member.name, member.relationship, member.phone, member.gender) == (
        "Sarah Uddin",
        "spouse",
        "+8801711000111",
        "female",
    )
    # Today is 2026-11-20: her birthday is on the 22nd, her 36th.
    [event] = result.upcoming_events
    assert (event.kind, event.date, event.days_until, event.years) == (
        "birthday",
        date(2026, 11, 22),
        2,
        36,
    )
    assert "wife Sarah's birthday in 2 days" in result.text
    with sessions() as s:
        row = s.scalar(select(FamilyMember))
        assert (row.customer_id, row.name_key) == (rahim, "sarah uddin")
    [entry] = audit_rows(sessions, "add_family_member")
    assert (
        entry.before is None and entry.after["name"] == "Sarah Uddin" and entry.entity_id == row.id
    )
    assert entry.arguments["relationship"] == "spouse"


def test_no_event_when_dates_are_far_or_missing(make_ctx, rahim):
    result = call(
        "add_family_member",
        {
            "customer": rahim,
            "name": "Ayaan Uddin",
            "relationship": "child",
            "date_of_birth": "2015-05-01",
        },
        make_ctx(),
    )
    assert result.ok and result.upcoming_events == []
    assert "Coming up" not in result.text


def test_same_name_with_another_relationship_is_not_a_duplicate(make_ctx, build, rahim, count):
    build(lambda s: make_family(s, s.get(Customer, rahim), "Sarah Uddin", "spouse"))
    result = call(
        "add_family_member",
        {"customer": rahim, "name": "Sarah Uddin", "relationship": "sibling"},
        make_ctx(),
    )
    assert result.ok and count(FamilyMember) == 2


@pytest.mark.parametrize(
    "args, error, words",
    [
        ({"name": "sarah uddin.", "relationship": "spouse"}, "conflict", "already recorded"),
        ({"date_of_birth": "2027-01-01"}, "invalid", "in the future"),
        ({"anniversary_date": "2026-12-01"}, "invalid", "in the future"),
        (
            {"date_of_birth": "1990-01-01", "anniversary_date": "1985-06-01"},
            "invalid",
            "before date_of_birth",
        ),
        (
            {"relationship": "child", "date_of_birth": "1980-01-01"},
            "invalid",
            "older than the customer",
        ),
        (
            {"relationship": "child", "date_of_birth": "1995-01-01"},
            "invalid",
            "less than 12 years younger",
        ),
        (
            {"relationship": "parent", "date_of_birth": "1980-01-01"},
            "invalid",
            "less than 12 years older",
        ),
        (
            {"relationship": "grandparent", "date_of_birth": "1970-01-01"},
            "invalid",
            "less than 24 years older",
        ),
        ({"anniversary_date": "1987-01-01"}, "invalid", "before the customer's birth"),
        ({"phone": "12345"}, "invalid", "not a valid phone number"),
        ({"email": "sarah-at-example"}, "invalid", "not a valid email"),
        ({"gender": "robot"}, "invalid", "gender"),
        ({"relationship": "cousin"}, "invalid", "relationship"),
        ({"name": "  "}, "invalid", "name"),
        ({"customer": "Nobody"}, "not_found", "Nobody"),
    ],
)
def test_refusals_write_nothing(make_ctx, build, rahim, count, args, error, words):
    build(lambda s: make_family(s, s.get(Customer, rahim), "Sarah Uddin", "spouse"))
    base = {"customer": rahim, "name": "Nadia Uddin", "relationship": "spouse"}
    result = call("add_family_member", {**base, **args}, make_ctx())
    assert not result.ok and result.error == error, result
    assert words in result.message
    assert count(FamilyMember) == 1 and count(AuditLog) == 0


def test_a_child_twenty_years_younger_is_fine(make_ctx, rahim):
    result = call(
        "add_family_member",
        {
            "customer": rahim,
            "name": "Mim Uddin",
            "relationship": "child",
            "date_of_birth": "2010-02-14",
        },
        make_ctx(),
    )
    assert result.ok and result.member.date_of_birth == date(2010, 2, 14)
