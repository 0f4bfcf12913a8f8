"""log_interaction on small worlds: what it writes, what it returns, and what it refuses."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.models import AuditLog, CustomerStats, FollowUp, Interaction, interaction_products
from tests.factories import make_customer, make_interaction, make_product
from tests.tools.conftest import audit_rows, call

DHAKA = ZoneInfo("Asia/Dhaka")


@pytest.fixture
def rahim(build):
    def world(s):
        customer = make_customer(s, "Rahim Uddin", phone="01712345678", city="Dhaka")
        make_customer(s, "Karim Uddin", phone="01812345678", city="Khulna")
        make_product(s, "Blue Kettle", price=4500)
        make_product(s, "Steel Kettle", price=3900)
        make_product(s, "Rice Cooker", price=6000)
        return customer.id

    return build(world)


def interactions(sessions):
    with sessions() as s:
        return list(s.scalars(select(Interaction).order_by(Interaction.id)))


def test_logs_a_call_with_products_follow_up_and_score_changes(make_ctx, sessions, rahim):
    ctx = make_ctx("Rina Akter", key="slack:evt-1")
    result = call(
        "log_interaction",
        {
            "customer": "rahim",
            "type": "Call",
            "notes": "Loved the blue kettle",
            "outcome": "interested",
            "duration_seconds": 240,
            "products": ["blue kettle", "rice cooker"],
            "follow_up_at": "2026-11-27",
        },
        ctx,
    )
    assert result.ok, result.text
    # Interested today -> hot (positive contact within 14 days); contacted, no order -> prospect.
    assert [(c.field, c.before, c.after) for c in result.changes] == [
        ("temperature", "cold", "hot"),
        ("lifecycle_stage", "lead", "prospect"),
    ]
    # A date without a time: the customer has no best time on record, so 10:00 Dhaka.
    assert result.follow_up.due_at == "2026-11-27T10:00+06:00"
    assert result.follow_up.date == date(2026, 11, 27)
    assert [p.name for p in result.interaction.products] == ["Blue Kettle", "Rice Cooker"]
    assert result.interaction.occurred_at == "2026-11-20T10:30+06:00"
    assert "Temperature: cold -> hot" in result.text and "Fri 27 Nov 2026 at 10:00" in result.text

    [row] = interactions(sessions)
    assert (row.customer_id, row.type, row.direction, row.outcome, row.duration_seconds) == (
        rahim,
        "call",
        "outbound",
        "interested",
        240,
    )
    assert row.user_id == ctx.actor.id and row.idempotency_key == "slack:evt-1"
    assert row.follow_up_required and row.follow_up_at == datetime(
        2026, 11, 27, 10, 0, tzinfo=DHAKA
    )
    with sessions() as s:
        assert len(s.execute(select(interaction_products)).all()) == 2
        stats = s.get(CustomerStats, rahim)
        assert stats.interaction_count == 1 and stats.next_follow_up_at == row.follow_up_at

    [entry] = audit_rows(sessions, "log_interaction")
    assert (
        entry.user_id == ctx.actor.id and entry.customer_id == rahim and entry.entity_id == row.id
    )
    assert entry.arguments["customer"] == "rahim" and entry.arguments["products"] == [
        "blue kettle",
        "rice cooker",
    ]
    assert entry.before["customer"] == {
        "temperature": "cold",
        "lifecycle_stage": "lead",
        "customer_type": "new",
    }
    assert entry.after["customer"]["temperature"] == "hot"
    assert entry.after["interaction"]["product_ids"] == [p.id for p in row.products]


def test_follow_up_date_uses_the_customers_stated_best_time(make_ctx, build, sessions):
    cid = build(lambda s: make_customer(s, "Nusrat Jahan", best_time_to_contact="18:00-20:00").id)
    result = call(
        "log_interaction",
        {
            "customer": cid,
            "type": "whatsapp",
            "notes": "sent catalogue",
            "follow_up_at": "2026-11-24",
        },
        make_ctx(),
    )
    assert result.follow_up.due_at == "2026-11-24T18:00+06:00"


def test_follow_up_date_in_the_customers_own_time_zone(make_ctx, build):
    cid = build(lambda s: make_customer(s, "Tanvir Abroad", timezone="Asia/Dubai").id)
    result = call(
        "log_interaction",
        {"customer": cid, "type": "call", "notes": "x", "follow_up_at": "2026-11-24"},
        make_ctx(),
    )
    assert result.follow_up.due_at == "2026-11-24T12:00+06:00"  # 10:00 in Dubai


def test_follow_up_as_a_date_time_and_today(make_ctx, rahim):
    ctx = make_ctx()
    at_time = call(
        "log_interaction",
        {"customer": rahim, "type": "call", "notes": "x", "follow_up_at": "2026-11-21T15:30"},
        ctx,
    )
    assert at_time.follow_up.due_at == "2026-11-21T15:30+06:00"
    # Today, with 10:00 already past at 10:30: due now. Midnight counts as a bare date.
    today = call(
        "log_interaction",
        {"customer": rahim, "type": "call", "notes": "x", "follow_up_at": "2026-11-20T00:00:00"},
        ctx,
    )
    assert today.follow_up.due_at == "2026-11-20T10:30+06:00"


def follow_up_of(sessions, interaction_id: int) -> int:
    """The id of the follow-up an interaction asked for."""
    with sessions() as s:
        return s.scalar(select(FollowUp.id).where(FollowUp.interaction_id == interaction_id))


def test_a_logged_contact_closes_earlier_follow_ups(make_ctx, build, sessions):
    def world(s):
        c = make_customer(s, "Rahim Uddin")
        old = make_interaction(
            s, c, at=date(2026, 11, 10), notes="call back", follow_up_at=date(2026, 11, 19)
        )
        return c.id, old.id

    cid, old_id = build(world)
    ctx = make_ctx()
    missed = call(
        "log_interaction",
        {"customer": cid, "type": "call", "notes": "no answer", "outcome": "no_answer"},
        ctx,
    )
    assert missed.closed_follow_ups == []  # did not reach them: still to do
    reached = call(
        "log_interaction",
        {"customer": cid, "type": "call", "notes": "talked", "outcome": "interested"},
        ctx,
    )
    assert reached.closed_follow_ups == [follow_up_of(sessions, old_id)]
    assert "Closed 1 earlier follow-up" in reached.text
    with sessions() as s:
        assert s.get(Interaction, old_id).follow_up_done_at == datetime(
            2026, 11, 20, 10, 30, tzinfo=DHAKA
        )


def test_a_no_answer_that_reschedules_supersedes_the_old_follow_up(make_ctx, build, sessions):
    def world(s):
        c = make_customer(s, "Rahim Uddin")
        return c.id, make_interaction(
            s, c, at=date(2026, 11, 10), notes="x", follow_up_at=date(2026, 11, 19)
        ).id

    cid, old_id = build(world)
    result = call(
        "log_interaction",
        {
            "customer": cid,
            "type": "call",
            "notes": "no answer",
            "outcome": "no_answer",
            "follow_up_at": "2026-11-23",
        },
        make_ctx(),
    )
    assert result.closed_follow_ups == [follow_up_of(sessions, old_id)]  # replaced
    with sessions() as s:
        assert s.get(CustomerStats, cid).next_follow_up_at == datetime(
            2026, 11, 23, 10, 0, tzinfo=DHAKA
        )


def test_occurred_at_as_a_past_date_means_noon(make_ctx, rahim, sessions):
    result = call(
        "log_interaction",
        {"customer": rahim, "type": "meeting", "notes": "x", "occurred_at": "2026-11-18"},
        make_ctx(),
    )
    assert result.interaction.occurred_at == "2026-11-18T12:00+06:00"


@pytest.mark.parametrize(
    "args, error, words",
    [
        ({"follow_up_at": "2026-11-19"}, "invalid", "in the past"),
        ({"follow_up_at": "2026-11-20T09:00"}, "invalid", "in the past"),
        ({"duration_seconds": -5}, "invalid", "negative"),
        ({"duration_seconds": 43201}, "invalid", "over 12 hours"),
        ({"occurred_at": "2026-11-21T10:00"}, "invalid", "in the future"),
        ({"notes": "   "}, "invalid", "notes"),
        ({"type": "fax"}, "invalid", "type"),
        ({"outcome": "maybe"}, "invalid", "outcome"),
        ({"user": "Someone Else"}, "invalid", "user"),
        ({"products": ["Television"]}, "not_found", "catalogue"),
        ({"products": ["kettle"]}, "ambiguous", "kettle"),
        ({"customer": "Uddin"}, "ambiguous", "2 customers"),
        ({"customer": "Nobody Here"}, "not_found", "Nobody Here"),
        ({"customer": 999}, "not_found", "#999"),
    ],
)
def test_refusals_write_nothing(make_ctx, rahim, sessions, count, args, error, words):
    base = {"customer": rahim, "type": "call", "notes": "talked"}
    result = call("log_interaction", {**base, **args}, make_ctx(key="k-refused"))
    assert not result.ok and result.error == error, result
    assert words in result.message
    assert count(Interaction) == 0 and count(AuditLog) == 0 and count(CustomerStats) == 0


def test_refused_key_can_be_used_again_once_corrected(make_ctx, rahim, count):
    ctx = make_ctx(key="k-retry")
    bad = call(
        "log_interaction",
        {"customer": rahim, "type": "call", "notes": "x", "duration_seconds": -1},
        ctx,
    )
    assert not bad.ok
    good = call(
        "log_interaction",
        {"customer": rahim, "type": "call", "notes": "x", "duration_seconds": 60},
        ctx,
    )
    assert good.ok and not good.replayed and count(Interaction) == 1
