"""set_follow_up and the follow-up lifecycle (CONTRACT 1b), on hand-computed worlds, both engines.

The clock is Fri 2026-11-20 10:30 Dhaka.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.models import AuditLog, CustomerStats, FollowUp, Interaction
from tests.factories import make_customer, make_interaction, make_user
from tests.tools.conftest import audit_rows, call

DHAKA = ZoneInfo("Asia/Dhaka")


def follow_ups(sessions, customer_id: int) -> list[tuple]:
    """(due_at local, open, close_reason, note, close_note) of every follow-up, oldest first."""
    with sessions() as s:
        rows = s.scalars(select(FollowUp).where(FollowUp.customer_id == customer_id)
                         .order_by(FollowUp.id))
        return [(r.due_at.astimezone(DHAKA).strftime("%Y-%m-%d %H:%M"), r.closed_at is None,
                 r.close_reason, r.note, r.close_note) for r in rows]


def next_follow_up(sessions, customer_id: int):
    with sessions() as s:
        return s.get(CustomerStats, customer_id).next_follow_up_at


@pytest.fixture
def rahim(build):
    return build(lambda s: make_customer(s, "Rahim Uddin", phone="01712345678").id)


@pytest.fixture
def karim(build):
    """Karim: a callback set on Nov 10 for Nov 19 (open, overdue by a day)."""
    def world(s):
        c = make_customer(s, "Karim Hossain")
        make_interaction(s, c, at=date(2026, 11, 10), outcome="callback", notes="call back",
                         follow_up_at=datetime(2026, 11, 19, 15, 0, tzinfo=DHAKA))
        return c.id
    return build(world)


def test_schedules_a_follow_up_without_logging_a_contact(make_ctx, sessions, count, rahim):
    result = call("set_follow_up", {"customer": "Rahim", "at": "2026-11-23", "note": "price list"},
                  make_ctx())
    assert result.ok, result.text
    # a date means the customer's best time, else 10:00, in their zone
    assert result.follow_up.due_at == "2026-11-23T10:00+06:00" and result.follow_up.open
    assert result.follow_up.note == "price list" and result.follow_up.set_by == "Rina Akter"
    assert result.closed is None and result.changed
    assert "Follow-up with Rahim Uddin" in result.text and "Mon 23 Nov 2026 at 10:00" in result.text
    assert follow_ups(sessions, rahim) == [("2026-11-23 10:00", True, None, "price list", None)]
    assert count(Interaction) == 0  # never logs a contact
    assert next_follow_up(sessions, rahim) == datetime(2026, 11, 23, 10, 0, tzinfo=DHAKA)
    [row] = audit_rows(sessions, "set_follow_up")
    assert (row.entity, row.customer_id, row.before) == ("follow_up", rahim, None)
    assert row.after["open"]["due_at"] == "2026-11-23T04:00:00+00:00"
    assert row.after["open"]["note"] == "price list" and row.after["closed"] is None


def test_moving_replaces_the_open_follow_up(make_ctx, sessions, karim):
    result = call("set_follow_up", {"customer": karim, "at": "2026-11-26T16:30", "note": "after Eid"},
                  make_ctx())
    assert result.ok, result.text
    assert result.closed.close_reason == "replaced" and not result.closed.open
    assert "Moved Karim Hossain's follow-up from Thu 19 Nov 2026 at 15:00 to Thu 26 Nov 2026 at 16:30" \
        in result.text
    assert follow_ups(sessions, karim) == [
        ("2026-11-19 15:00", False, "replaced", None, "after Eid"),
        ("2026-11-26 16:30", True, None, "after Eid", None),
    ]
    assert next_follow_up(sessions, karim) == datetime(2026, 11, 26, 16, 30, tzinfo=DHAKA)
    [row] = audit_rows(sessions, "set_follow_up")
    assert row.before["due_at"] == "2026-11-19T09:00:00+00:00" and row.before["closed_at"] is None
    assert row.after["closed"]["close_reason"] == "replaced"


def test_without_a_time_it_closes_the_open_one_with_the_note(make_ctx, sessions, karim):
    result = call("set_follow_up", {"customer": karim, "note": "bought elsewhere"}, make_ctx())
    assert result.ok and result.follow_up is None and result.closed.close_reason == "cancelled"
    assert "Closed Karim Hossain's follow-up that was due Thu 19 Nov 2026 at 15:00 (bought elsewhere)" \
        in result.text
    assert follow_ups(sessions, karim) == [
        ("2026-11-19 15:00", False, "cancelled", None, "bought elsewhere")]
    assert next_follow_up(sessions, karim) is None
    with sessions() as s:  # the contact that asked for it now reads as done
        asked = s.scalar(select(Interaction).where(Interaction.customer_id == karim))
        assert asked.follow_up_done_at == datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def test_closing_when_none_is_open_changes_nothing_and_says_so(make_ctx, sessions, count, rahim):
    result = call("set_follow_up", {"customer": rahim, "at": None}, make_ctx())
    assert result.ok and not result.changed and result.follow_up is None
    assert "has no open follow-up" in result.text and "nothing changed" in result.text
    assert count(FollowUp) == 0


def test_the_same_time_again_changes_nothing(make_ctx, sessions, karim):
    result = call("set_follow_up", {"customer": karim, "at": "2026-11-19T15:00"}, make_ctx())
    # 2026-11-19 15:00 is in the past: refused, even though it equals the open one
    assert not result.ok and result.error == "invalid" and result.field == "at"
    call("set_follow_up", {"customer": karim, "at": "2026-11-24T11:00"}, make_ctx())
    again = call("set_follow_up", {"customer": karim, "at": "2026-11-24T11:00"}, make_ctx())
    assert again.ok and not again.changed and "already has a follow-up" in again.text
    assert [f[1] for f in follow_ups(sessions, karim)] == [False, True]


@pytest.mark.parametrize("at, words", [
    ("2026-11-19", "2026-11-19 is in the past (today is 2026-11-20)"),
    ("2026-11-20T09:00", "2026-11-20 09:00 is in the past"),
])
def test_a_time_in_the_past_is_invalid_and_writes_nothing(make_ctx, sessions, count, karim, at, words):
    result = call("set_follow_up", {"customer": karim, "at": at}, make_ctx())
    assert not result.ok and result.error == "invalid" and result.field == "at"
    assert words in result.message
    assert follow_ups(sessions, karim) == [("2026-11-19 15:00", True, None, None, None)]
    assert count(AuditLog) == 0


def test_replay_with_the_same_key_writes_once(make_ctx, sessions, count, rahim):
    ctx = make_ctx(key="slack:abc")
    first = call("set_follow_up", {"customer": rahim, "at": "2026-11-25"}, ctx)
    second = call("set_follow_up", {"customer": rahim, "at": "2026-11-25"}, ctx)
    assert first.ok and second.ok and second.replayed and not first.replayed
    assert second.follow_up.id == first.follow_up.id
    assert count(FollowUp) == 1 and len(audit_rows(sessions, "set_follow_up")) == 1
    other = call("set_follow_up", {"customer": rahim, "at": "2026-11-26"}, ctx)
    assert not other.ok and other.error == "conflict"


def test_no_write_on_an_ambiguous_or_unknown_customer(make_ctx, build, count):
    build(lambda s: [make_customer(s, "Rahim Uddin"), make_customer(s, "Rahim Uddin")])
    assert call("set_follow_up", {"customer": "Rahim", "at": "2026-11-25"}, make_ctx()).error == \
        "ambiguous"
    assert call("set_follow_up", {"customer": "Nobody Atall", "at": "2026-11-25"}, make_ctx()).error \
        == "not_found"
    assert count(FollowUp) == 0


def test_an_agent_may_not_set_another_agents_customer(make_ctx, build, count):
    def world(s):
        sumi = make_user(s, "Sumi Akter")
        return make_customer(s, "Rahim Uddin", assigned_to=sumi).id
    cid = build(world)
    result = call("set_follow_up", {"customer": cid, "at": "2026-11-25"},
                  make_ctx(agents_see_all_customers=False))
    assert not result.ok and result.error == "forbidden"
    assert count(FollowUp) == 0


# ------------------------------------------------------------- the lifecycle, through log_interaction
def test_an_earlier_or_unanswered_contact_leaves_the_follow_up_open(make_ctx, sessions, build):
    def world(s):
        c = make_customer(s, "Rahim Uddin")
        # set yesterday, due next Tuesday: unrelated to today's call
        make_interaction(s, c, at=date(2026, 11, 19), outcome="callback", notes="call Tue",
                         follow_up_at=date(2026, 11, 24))
        return c.id
    cid = build(world)
    talked = call("log_interaction", {"customer": cid, "type": "call", "notes": "about a kettle",
                                      "outcome": "interested"}, make_ctx())
    assert talked.ok and talked.closed_follow_ups == []  # before its day: still open
    assert follow_ups(sessions, cid) == [("2026-11-24 12:00", True, None, None, None)]


def test_a_no_answer_on_the_day_leaves_it_open_a_reached_contact_closes_it(make_ctx, sessions, karim):
    missed = call("log_interaction", {"customer": karim, "type": "call", "notes": "rang",
                                      "outcome": "no_answer"}, make_ctx())
    assert missed.closed_follow_ups == []
    reached = call("log_interaction", {"customer": karim, "type": "whatsapp", "notes": "replied",
                                       "outcome": "resolved"}, make_ctx())
    assert len(reached.closed_follow_ups) == 1 and "Closed 1 earlier follow-up" in reached.text
    assert follow_ups(sessions, karim) == [("2026-11-19 15:00", False, "answered", None, None)]
    assert next_follow_up(sessions, karim) is None


def test_a_contact_with_follow_up_at_sets_one_and_only_one_open(make_ctx, sessions, karim):
    result = call("log_interaction", {"customer": karim, "type": "call", "notes": "busy",
                                      "outcome": "callback", "follow_up_at": "2026-11-27"},
                  make_ctx())
    assert result.ok
    # it reached Karim after the old one's day (answered), then set the next one
    assert follow_ups(sessions, karim) == [
        ("2026-11-19 15:00", False, "answered", None, None),
        ("2026-11-27 10:00", True, None, None, None),
    ]
