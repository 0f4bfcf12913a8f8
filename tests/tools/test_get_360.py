"""get_360 on a small world: every section, role-based redaction, the timeline pages and the refusals."""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest

from domain.clv.business import fit_from_orders
from domain.models import AuditLog, ClvModel, Note
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
from tests.tools.conftest import call

TODAY = date(2026, 11, 20)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def rahim(build):
    def world(s):
        rina = make_user(s, "Rina Akter")
        make_user(s, "Karim Agent")
        make_user(s, "Mona Manager", role="manager")
        kettle = make_product(s, "Blue Kettle", price=4500)
        toaster = make_product(s, "Red Toaster", price=3000)
        c = make_customer(
            s, "Rahim Uddin", phone="01712-345678", email="rahim@example.com", city="Dhaka",
            date_of_birth=date(1988, 11, 22), quiet_hours_start=time(21), quiet_hours_end=time(9), language="bn",
            best_time_to_contact="evening", assigned_to=rina, tags=["eid", "vip"],
        )
        make_customer(s, "Rahim Khan", city="Khulna")
        make_consent(s, c, "whatsapp", True)
        make_consent(s, c, "email", False)
        make_family(s, c, "Sarah Uddin", "spouse", gender="female", date_of_birth=date(1990, 12, 10),
                    phone="+8801812345678")
        make_loyalty(s, c, points=1200, tier="gold")
        make_opportunity(s, c, "Office kettles", value=40000, at=days_ago(200), status="won")
        make_opportunity(s, c, "Hotel order", value=60000, at=days_ago(150), status="won")
        make_opportunity(s, c, "School canteen", value=10000, at=days_ago(100), status="lost")
        make_opportunity(s, c, "Eid bulk order", value=100000, at=days_ago(5), probability=0.5,
                         expected_close=days_ago(3))
        make_ticket(s, c, "Broken lid", at=days_ago(4), sla_due_at=days_ago(1))
        make_ticket(s, c, "Late delivery", at=days_ago(60), status="resolved", csat=4)
        make_dropoff(s, c, at=days_ago(2), cart_value=5500, product=kettle)
        make_dropoff(s, c, at=days_ago(30), cart_value=3000, product=toaster, recovered=True)
        make_behavior(s, c, at=days_ago(3), product=kettle, count=3)
        make_behavior(s, c, at=days_ago(6), product=toaster)
        make_behavior(s, c, at=days_ago(2), type="add_to_cart", product=kettle)
        make_behavior(s, c, at=days_ago(8), type="search", query="electric kettle")
        make_order(s, c, at=days_ago(10), amount=4500, items=[kettle])
        make_order(s, c, at=days_ago(40), amount=3000, items=[toaster])
        make_order(s, c, at=days_ago(70), amount=900, status="cancelled")
        make_interaction(s, c, at=days_ago(1), outcome="interested", notes="asked about kettles")
        make_interaction(s, c, at=days_ago(15), type="whatsapp", direction="inbound")
        s.add_all([Note(customer_id=c.id, body="Prefers Bangla", pinned=True, created_at=when(days_ago(50))),
                   Note(customer_id=c.id, body="Owns a hotel", created_at=when(days_ago(120)))])
        refresh_stats(s)
        return c.id
    return build(world)


def test_every_section_for_the_assigned_agent(make_ctx, rahim):
    result = call("get_360", {"customer": "Rahim Uddin"}, make_ctx("Rina Akter"))
    assert result.ok, result.text
    p = result.profile
    assert (p["id"], p["name"], p["city"], p["phone"], p["email"]) == (
        rahim, "Rahim Uddin", "Dhaka", "+8801712345678", "rahim@example.com")
    assert result.assigned_to == "Rina Akter" and result.tags == ["eid", "vip"]
    assert result.preferences.consent == {"whatsapp": True, "sms": None, "email": False, "instagram": None,
                                          "facebook": None}
    # completed orders only: 4,500 ten days ago and 3,000 forty days ago
    m = result.metrics
    assert (m.lifetime_value, m.order_count, m.average_order_value, m.days_since_last_order) == (7500, 2, 3750, 10)
    assert m.tenure_days == (TODAY - date(2024, 1, 1)).days  # created before the first order
    # R=5 (10 days), F=2 (2 orders), M=5 (7,500 >= 5,000): VIP (M=5 and R>=3)
    assert (result.rfm.score, result.rfm.segment) == ("525", "VIP")
    assert result.temperature == "hot"  # interested yesterday
    assert result.lifecycle_stage == "repeat_buyer" and result.profile["temperature"] == "hot"
    assert 0 <= result.health.score <= 100 and result.churn.level in ("low", "medium", "high")
    assert (result.loyalty.points_balance, result.loyalty.tier) == (1200, "gold")
    o = result.opportunities
    assert (o.count, o.open_count, o.won_count, o.lost_count, o.win_rate) == (4, 1, 2, 1, 0.667)
    assert (o.open_value, o.weighted_open_value, o.average_deal_size, o.values_hidden) == (100000, 50000, 50000, False)
    assert (result.tickets.open_count, result.tickets.overdue_count, result.tickets.average_csat) == (1, 1, 4.0)
    [cart] = result.open_dropoffs
    assert (cart["cart_value"], cart["product"], cart["customer_id"]) == (5500, "Blue Kettle", rahim)
    assert [(v["name"], v["views"]) for v in result.behaviour.most_viewed] == [("Blue Kettle", 3), ("Red Toaster", 1)]
    assert result.behaviour.carts_30d == 1
    # his own birthday on the 22nd (turns 38); his wife's on 10 December, inside the 30-day window
    assert [(e.phrase, e.date) for e in result.upcoming_events] == [
        ("birthday in 2 days (turns 38)", date(2026, 11, 22)),
        ("wife Sarah's birthday in 20 days (turns 36)", date(2026, 12, 10))]
    [sarah] = result.family
    assert (sarah.name, sarah.phone, sarah.phone_redacted, sarah.next_birthday) == (
        "Sarah Uddin", "+8801812345678", False, date(2026, 12, 10))
    kinds = {i.kind: i for i in result.insights}
    assert {"open_dropoffs", "sla_risk", "stale_opportunity"} <= set(kinds)
    assert kinds["open_dropoffs"].evidence == [{"table": "dropoffs", "id": cart["id"]}]
    assert "worth BDT 100,000" in kinds["stale_opportunity"].detail
    assert result.redacted == []
    assert f"Rahim Uddin (#{rahim})" in result.text and "RFM 525 (VIP)" in result.text
    assert "Opportunities: 4 (1 open worth BDT 100,000" in result.text
    assert "Coming up: Sun 22 Nov birthday in 2 days (turns 38)" in result.text


def test_clv_is_fitted_for_the_view_when_no_model_is_stored(make_ctx, rahim):
    result = call("get_360", {"customer": rahim}, make_ctx())
    clv = result.clv
    # one buyer, so the heuristic: x=1 repeat, t_x=30/7 and T=40/7 weeks; the shop rate is x/T and
    # with one customer the shrunk rate equals it: 7/40 a week. P(alive) = exp(-rate * 10/7) = e^-0.25.
    rate = 7 / 40
    alive = math.exp(-0.25)
    assert (clv.method, clv.stored_model, clv.model_id) == ("heuristic", False, None)
    assert clv.probability_alive == pytest.approx(alive, abs=1e-4)
    assert clv.expected_purchases_90d == pytest.approx(alive * rate * 90 / 7, abs=1e-3)
    assert float(clv.predicted_value_365d) == pytest.approx(alive * rate * 365 / 7 * 3750, abs=0.02)
    assert "fitted for this view" in clv.note


def test_clv_comes_from_the_stored_model(make_ctx, rahim, build, count):
    model_id = build(lambda s: fit_from_orders(s, TODAY, tz="Asia/Dhaka").id)
    result = call("get_360", {"customer": rahim}, make_ctx())
    assert (result.clv.model_id, result.clv.stored_model, result.clv.note) == (model_id, True, None)
    assert count(ClvModel) == 1  # a read never stores a model


def test_clv_not_fitted_on_a_big_shop(make_ctx, rahim, monkeypatch):
    monkeypatch.setattr("tools.get_360.ON_THE_FLY_CLV_BUYERS", 0)
    result = call("get_360", {"customer": rahim}, make_ctx())
    assert result.clv.method == "not_fitted" and result.clv.probability_alive is None
    assert "c360 clv fit" in result.text


def test_another_agent_sees_no_opportunity_values_nor_family_phones(make_ctx, rahim):
    result = call("get_360", {"customer": rahim}, make_ctx("Karim Agent"))
    o = result.opportunities
    assert (o.count, o.open_count, o.win_rate) == (4, 1, 0.667)  # counts stay
    assert (o.open_value, o.weighted_open_value, o.average_deal_size, o.values_hidden) == (None, None, None, True)
    assert [deal["value"] for deal in o.open] == [None]
    [sarah] = result.family
    assert (sarah.phone, sarah.phone_redacted) == (None, True)
    stale = next(i for i in result.insights if i.kind == "stale_opportunity")
    assert "100,000" not in stale.detail and "(value hidden)" in stale.detail
    # agents may act on every customer by default, so the customer's own contact details show
    assert (result.profile["phone"], result.profile["email"]) == ("+8801712345678", "rahim@example.com")
    assert "100,000" not in result.text and "8801812345678" not in result.text
    assert "values hidden" in result.text and "phone hidden" in result.text
    assert len(result.redacted) == 2


def test_restricted_agents_also_get_the_customers_contact_masked(make_ctx, rahim):
    result = call("get_360", {"customer": rahim}, make_ctx("Karim Agent", agents_see_all_customers=False))
    assert result.profile["phone"].endswith("678") and "1712" not in result.profile["phone"]
    assert result.profile["email"] == "r***@example.com"
    assert "rahim@example.com" not in result.text


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_see_everything(make_ctx, rahim, role):
    result = call("get_360", {"customer": rahim}, make_ctx(f"Boss {role}", role=role, agents_see_all_customers=False))
    assert result.opportunities.open_value == 100000 and result.family[0].phone == "+8801812345678"
    assert result.profile["phone"] == "+8801712345678" and result.redacted == []


def test_timeline_newest_first_and_paged_with_a_cursor(make_ctx, rahim):
    ctx = make_ctx()
    whole = call("get_360", {"customer": rahim, "timeline_limit": 100}, ctx)
    keys = [(t.type, t.id) for t in whole.timeline]
    # 3 orders, 2 interactions, 2 tickets, 2 drop-offs, 2 notes, 4 behaviour events
    assert len(keys) == 15 and whole.next_cursor is None
    moments = [t.occurred_at for t in whole.timeline]
    assert moments == sorted(moments, reverse=True)
    assert whole.timeline[0].type == "interaction" and whole.timeline[0].occurred_at.utcoffset() == timedelta(hours=6)
    first = call("get_360", {"customer": rahim, "timeline_limit": 6}, ctx)
    second = call("get_360", {"customer": rahim, "timeline_limit": 6, "cursor": first.next_cursor}, ctx)
    third = call("get_360", {"customer": rahim, "timeline_limit": 6, "cursor": second.next_cursor}, ctx)
    paged = [(t.type, t.id) for page in (first, second, third) for t in page.timeline]
    assert paged == keys and third.next_cursor is None
    assert f"cursor={first.next_cursor}" in first.text


def test_timeline_filters(make_ctx, rahim):
    ctx = make_ctx()
    orders = call("get_360", {"customer": rahim, "timeline_types": ["Orders"]}, ctx)
    assert [t.type for t in orders.timeline] == ["order"] * 3
    assert [t.title.split(":")[0] for t in orders.timeline] == [f"Order #{i}" for i in (1, 2, 3)]
    recent = call("get_360", {"customer": rahim, "since": days_ago(3).isoformat(), "until": days_ago(2).isoformat(),
                              "timeline_types": ["behaviour", "drop-offs"]}, ctx)
    assert sorted((t.type, t.occurred_at.date()) for t in recent.timeline) == [
        ("behavior", days_ago(3)), ("behavior", days_ago(2)), ("dropoff", days_ago(2))]


@pytest.mark.parametrize("args, error, words", [
    ({"customer": "rahim"}, "ambiguous", "2 customers"),
    ({"customer": "Nobody Here"}, "not_found", "Nobody Here"),
    ({"customer": 999}, "not_found", "#999"),
    ({"customer": "01999-999999"}, "not_found", "phone"),
    ({"timeline_types": ["invoices"]}, "invalid", "timeline_types"),
    ({"timeline_limit": 0}, "invalid", "timeline_limit"),
    ({"cursor": "not-a-cursor"}, "invalid", "cursor"),
    ({"since": "2026-11-10", "until": "2026-11-01"}, "invalid", "since must be before until"),
    ({"since": "last tuesday"}, "invalid", "since"),
    ({"user": "Mona Manager"}, "invalid", "user"),
])
def test_refusals(make_ctx, rahim, count, args, error, words):
    result = call("get_360", {"customer": rahim, **args}, make_ctx())
    assert not result.ok and result.error == error, result
    assert words in result.text
    if error == "ambiguous":
        assert [c.name for c in result.candidates] == ["Rahim Uddin", "Rahim Khan"]
    assert count(AuditLog) == 0


def test_a_new_lead_renders_in_a_few_lines(make_ctx, build):
    cid = build(lambda s: make_customer(s, "Nadia Lead", created_at=datetime(2026, 11, 1, 9, 0, tzinfo=DHAKA)).id)
    result = call("get_360", {"customer": cid}, make_ctx())
    assert result.ok and result.rfm is None and result.clv.method in ("no_orders", "heuristic")
    assert result.metrics.order_count == 0 and result.timeline == []
    assert "no completed order yet" in result.text and len(result.text.splitlines()) <= 6
