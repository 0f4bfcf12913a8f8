"""The 360 view: every section on a small world, and the timeline's keyset pagination."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from domain.customer360 import TIMELINE_TYPES, load_customer_360
from domain.errors import DomainError, NotFound
from domain.models import Note
from domain.stats import refresh_stats
from tests.factories import (
    DHAKA,
    make_behavior,
    make_consent,
    make_customer,
    make_dropoff,
    make_family,
    make_interaction,
    make_loyalty,
    make_opportunity,
    make_order,
    make_product,
    make_ticket,
    make_user,
    when,
)

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def rahim(session):
    rina = make_user(session, "Rina Akter")
    kettle = make_product(session, "Blue Kettle", price=4500)
    toaster = make_product(session, "Red Toaster", price=3000)
    customer = make_customer(
        session,
        "Rahim Uddin",
        phone="01712-345678",
        email="rahim@example.com",
        city="Dhaka",
        date_of_birth=date(1988, 11, 22),
        quiet_hours_start=time(21),
        quiet_hours_end=time(9),
        language="bn",
        best_time_to_contact="evening",
        assigned_to=rina,
        tags=["vip", "eid"],
    )
    make_consent(session, customer, "whatsapp", True)
    make_consent(session, customer, "email", False)
    make_family(
        session,
        customer,
        "Sarah Uddin",
        "spouse",
        gender="female",
        date_of_birth=date(1990, 12, 10),
        phone="01812345678",
    )
    make_loyalty(session, customer, points=1200, tier="gold")
    make_opportunity(
        session, customer, "Office kettles", value=40000, at=days_ago(200), status="won"
    )
    make_opportunity(session, customer, "Hotel order", value=60000, at=days_ago(150), status="won")
    make_opportunity(
        session, customer, "School canteen", value=10000, at=days_ago(100), status="lost"
    )
    make_opportunity(
        session, customer, "Eid bulk order", value=100000, at=days_ago(5), probability=0.5
    )
    make_ticket(session, customer, "Broken lid", at=days_ago(4), sla_due_at=days_ago(1))
    make_ticket(session, customer, "Late delivery", at=days_ago(60), status="resolved", csat=4)
    make_dropoff(session, customer, at=days_ago(2), cart_value=5500, product=kettle)
    make_dropoff(
        session, customer, at=days_ago(30), cart_value=3000, product=toaster, recovered=True
    )
    make_behavior(session, customer, at=days_ago(3), product=kettle, count=3)
    make_behavior(session, customer, at=days_ago(6), product=toaster)
    make_behavior(session, customer, at=days_ago(2), type="add_to_cart", product=kettle)
    make_behavior(session, customer, at=days_ago(8), type="search", query="electric kettle")
    make_order(session, customer, at=days_ago(10), amount=4500, items=[kettle])
    make_order(session, customer, at=days_ago(40), amount=3000, items=[toaster])
    make_order(session, customer, at=days_ago(70), amount=900, status="cancelled")
    make_interaction(
        session, customer, at=days_ago(1), outcome="interested", notes="asked about kettles"
    )
    make_interaction(session, customer, at=days_ago(15), type="whatsapp", direction="inbound")
    session.add_all(
        [
            Note(
                customer_id=customer.id,
                body="Prefers Bangla",
                pinned=True,
                created_at=when(days_ago(50)),
            ),
            Note(customer_id=customer.id, body="Owns a hotel", created_at=when(days_ago(120))),
        ]
    )
    refresh_stats(session)
    session.commit()
    return customer


def test_sections(session, rahim):
    data = load_customer_360(session, rahim.id, TODAY, now=NOW)

    assert data.profile["name"] == "Rahim Uddin" and data.profile["phone"] == "+8801712345678"
    assert data.assigned_to_name == "Rina Akter"
    assert data.tags == ["eid", "vip"]
    prefs = data.preferences
    assert prefs.consent == {
        "whatsapp": True,
        "sms": None,
        "email": False,
        "instagram": None,
        "facebook": None,
    }
    assert (prefs.quiet_hours_start, prefs.quiet_hours_end) == (time(21), time(9))
    assert (prefs.language, prefs.best_time_to_contact, prefs.timezone) == (
        "bn",
        "evening",
        "Asia/Dhaka",
    )
    assert [(f.name, f.relationship, f.next_birthday) for f in data.family] == [
        ("Sarah Uddin", "spouse", date(2026, 12, 10))
    ]
    assert data.scores.metrics.lifetime_value == 7500 and data.scores.metrics.order_count == 2
    assert (data.loyalty.points_balance, data.loyalty.tier) == (1200, "gold")

    opps = data.opportunities
    assert (opps.count, opps.open_count, opps.open_value, opps.weighted_open_value) == (
        4,
        1,
        100000,
        50000,
    )
    assert (opps.won_count, opps.lost_count, opps.win_rate, opps.average_deal_size) == (
        2,
        1,
        0.667,
        50000,
    )
    assert [o["name"] for o in opps.open] == ["Eid bulk order"]

    tickets = data.tickets
    assert (tickets.open_count, tickets.overdue_count, tickets.average_csat) == (1, 1, 4.0)
    assert [(t["subject"], t["sla_breached"]) for t in tickets.tickets] == [
        ("Broken lid", True),
        ("Late delivery", False),
    ]

    assert [(d["product"], d["cart_value"]) for d in data.open_dropoffs] == [("Blue Kettle", 5500)]
    behaviour = data.behaviour
    assert [(p["name"], p["views"]) for p in behaviour.most_viewed] == [
        ("Blue Kettle", 3),
        ("Red Toaster", 1),
    ]
    assert (behaviour.carts_30d, behaviour.wishlist_30d) == (1, 0)
    assert behaviour.top_searches == [{"query": "electric kettle", "count": 1}]

    assert [(e.kind, e.whose, e.days_until) for e in data.upcoming_events] == [
        ("birthday", "self", 2),
        ("birthday", "spouse Sarah Uddin", 20),
    ]
    insight_kinds = {i.kind for i in data.insights}
    assert {"sla_risk", "open_dropoffs"} <= insight_kinds
    assert all(i.evidence for i in data.insights)


def _walk(session, customer_id, limit, **kwargs):
    items, cursor, pages = [], None, 0
    while True:
        page = load_customer_360(
            session, customer_id, TODAY, now=NOW, timeline_limit=limit, cursor=cursor, **kwargs
        ).timeline
        assert len(page.items) <= limit
        items += page.items
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return items, pages


def test_timeline_is_newest_first_and_pages_without_gaps_or_repeats(session, rahim):
    full = load_customer_360(session, rahim.id, TODAY, now=NOW, timeline_limit=100).timeline
    # 3 orders, 2 interactions, 2 tickets, 2 drop-offs, 2 notes, 4 behaviour events
    assert len(full.items) == 15 and full.next_cursor is None
    keys = [(i.occurred_at, i.type, i.id) for i in full.items]
    assert keys == sorted(keys, reverse=True)
    assert full.items[0].type == "interaction" and full.items[0].summary == "asked about kettles"
    assert full.types == sorted(TIMELINE_TYPES)

    paged, pages = _walk(session, rahim.id, 4)
    assert pages == 4
    assert [(i.type, i.id) for i in paged] == [(i.type, i.id) for i in full.items]


def test_timeline_ties_break_by_type_then_id(session):
    customer = make_customer(session, "Same Time")
    moment = datetime(2026, 11, 18, 12, 0, tzinfo=DHAKA)
    first = make_interaction(session, customer, at=moment)
    second = make_interaction(session, customer, at=moment)
    order = make_order(session, customer, at=moment, amount=100)
    note = Note(customer_id=customer.id, body="same minute", created_at=moment)
    session.add(note)
    session.commit()

    paged, pages = _walk(session, customer.id, 1)
    assert pages == 4
    # one instant: type descending (order, note, interaction), then id descending
    assert [(i.type, i.id) for i in paged] == [
        ("order", order.id),
        ("note", note.id),
        ("interaction", second.id),
        ("interaction", first.id),
    ]


def test_timeline_filters(session, rahim):
    orders = load_customer_360(session, rahim.id, TODAY, now=NOW, timeline_types=["order"]).timeline
    assert [i.title for i in orders.items] == [
        f"Order #{orders.items[0].id}: BDT 4,500 (completed)",
        f"Order #{orders.items[1].id}: BDT 3,000 (completed)",
        f"Order #{orders.items[2].id}: BDT 900 (cancelled)",
    ]
    assert orders.items[0].summary == "Blue Kettle x1"

    window = load_customer_360(
        session,
        rahim.id,
        TODAY,
        now=NOW,
        since=days_ago(10),
        until=days_ago(2),
        timeline_types=["order", "dropoff", "behavior"],
    ).timeline
    assert [(i.type, i.occurred_at.astimezone(DHAKA).date()) for i in window.items] == [
        ("dropoff", days_ago(2)),
        ("behavior", days_ago(2)),
        ("behavior", days_ago(3)),
        ("behavior", days_ago(6)),
        ("behavior", days_ago(8)),
        ("order", days_ago(10)),
    ]
    moment = load_customer_360(
        session, rahim.id, TODAY, now=NOW, since="2026-11-17T00:00:00", timeline_types=["behavior"]
    ).timeline
    assert len(moment.items) == 2  # naive date-times are Dhaka time: days 3 and 2 ago


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"timeline_types": ["orders", "tweet"]}, "timeline_types"),
        ({"timeline_limit": 0}, "timeline_limit"),
        ({"since": date(2026, 11, 10), "until": date(2026, 11, 1)}, "since"),
        ({"since": "last tuesday"}, "since"),
    ],
)
def test_bad_timeline_arguments(session, rahim, kwargs, field):
    with pytest.raises(DomainError) as error:
        load_customer_360(session, rahim.id, TODAY, **kwargs)
    assert error.value.field == field


def test_unknown_customer(session):
    with pytest.raises(NotFound):
        load_customer_360(session, 404, TODAY)


def test_a_customer_with_no_history(session):
    lead = make_customer(session, "New Lead")
    data = load_customer_360(session, lead.id, TODAY)
    assert data.timeline.items == [] and data.timeline.next_cursor is None
    assert data.family == [] and data.loyalty is None and data.insights == []
    assert data.opportunities.win_rate is None and data.opportunities.average_deal_size is None
    assert data.scores.metrics.order_count == 0
