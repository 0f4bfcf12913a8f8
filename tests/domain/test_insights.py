"""Insights: each rule on a small world, with severity, numbers and the ids of its evidence."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.errors import NotFound
from domain.insights import customer_insights, insights_for_customers
from domain.stats import refresh_stats
from tests.factories import (
    DHAKA,
    make_behavior,
    make_customer,
    make_dropoff,
    make_interaction,
    make_opportunity,
    make_order,
    make_ticket,
)

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def kinds(insights) -> dict:
    return {i.kind: i for i in insights}


def test_sla_risk_past_and_near(session):
    late = make_customer(session, "Late Ticket")
    breached = make_ticket(
        session, late, "Broken kettle", at=days_ago(3), sla_due_at=datetime(2026, 11, 20, 7, 30)
    )
    make_ticket(
        session, late, "Closed one", at=days_ago(3), status="resolved", sla_due_at=days_ago(2)
    )
    near = make_customer(session, "Near Ticket")
    due = make_ticket(
        session,
        near,
        "Refund",
        at=days_ago(1),
        status="pending",
        sla_due_at=datetime(2026, 11, 20, 15, 30),
    )
    far = make_customer(session, "Far Ticket")
    make_ticket(session, far, "Question", at=days_ago(1), sla_due_at=datetime(2026, 11, 22, 15, 30))

    found = insights_for_customers(session, [late.id, near.id, far.id], TODAY, now=NOW)

    sla = kinds(found[late.id])["sla_risk"]
    assert (sla.severity, sla.title) == ("high", "Support ticket past SLA")
    assert sla.detail == "1 ticket past SLA, the oldest by 3 h"
    assert sla.evidence == [{"table": "support_tickets", "id": breached.id}]
    near_sla = kinds(found[near.id])["sla_risk"]
    assert (near_sla.severity, near_sla.detail) == ("medium", 'SLA of "Refund" due in 5 h')
    assert near_sla.evidence == [{"table": "support_tickets", "id": due.id}]
    assert "sla_risk" not in kinds(found[far.id])


def test_open_dropoffs_severity_by_value(session):
    big = make_customer(session, "Big Cart")
    d1 = make_dropoff(session, big, at=days_ago(2), cart_value=5500)
    d2 = make_dropoff(session, big, at=days_ago(5), stage="product_view", cart_value=0)
    make_dropoff(session, big, at=days_ago(3), cart_value=900, recovered=True)
    make_dropoff(session, big, at=days_ago(45), cart_value=9000)  # too old to be news
    small = make_customer(session, "Small Look")
    make_dropoff(session, small, at=days_ago(1), stage="product_view", cart_value=300)

    found = insights_for_customers(session, [big.id, small.id], TODAY, now=NOW)

    drop = kinds(found[big.id])["open_dropoffs"]
    assert (drop.severity, drop.title) == ("high", "2 open drop-offs worth BDT 5,500")
    assert drop.detail == "latest: add to cart of BDT 5,500 2 days ago"
    assert drop.evidence == [{"table": "dropoffs", "id": d1.id}, {"table": "dropoffs", "id": d2.id}]
    assert kinds(found[small.id])["open_dropoffs"].severity == "low"


def test_stale_opportunities(session):
    buyer = make_customer(session, "Wholesale Buyer", account_kind="wholesale")
    stale = make_opportunity(session, buyer, "Eid bulk order", value=100000, at=days_ago(45))
    make_opportunity(session, buyer, "Fresh deal", value=5000, at=days_ago(3))
    make_opportunity(session, buyer, "Old but won", value=5000, at=days_ago(90), status="won")

    insight = kinds(customer_insights(session, buyer.id, TODAY, now=NOW))["stale_opportunity"]

    assert insight.severity == "high"  # 100,000 >= 10 x 5,000
    assert insight.title == "Stale opportunity: Eid bulk order"
    assert insight.detail == "1 open deal worth BDT 100,000; oldest untouched for 45 days"
    assert insight.evidence == [{"table": "opportunities", "id": stale.id}]


def test_churn_risk_against_the_customers_own_rhythm(session):
    quiet = make_customer(session, "Gone Quiet")
    orders = [make_order(session, quiet, at=days_ago(150 + 30 * k), amount=2000) for k in range(4)]
    refresh_stats(session)

    churn = kinds(customer_insights(session, quiet.id, TODAY, now=NOW))["churn_risk"]

    assert churn.severity == "high"  # 150 days > 3 x 30 and 4 orders
    assert (
        churn.detail
        == "last order 150 days ago; usually every 30 days over 4 orders (BDT 8,000 in total)"
    )
    assert churn.evidence == [{"table": "orders", "id": orders[0].id}]


def test_upsell_potential(session):
    buyer = make_customer(session, "Steady Buyer")
    orders = [make_order(session, buyer, at=days_ago(d), amount=2000) for d in (10, 40, 70)]
    make_order(session, buyer, at=days_ago(5), amount=9000, status="cancelled")
    refresh_stats(session)

    upsell = kinds(customer_insights(session, buyer.id, TODAY, now=NOW))["upsell_potential"]

    assert upsell.severity == "high"  # 6,000 in 180 days >= 5,000
    assert upsell.detail == "3 orders in the last 180 days worth BDT 6,000, the last 10 days ago"
    assert upsell.evidence == [{"table": "orders", "id": o.id} for o in orders]


def test_engagement_drop(session):
    fading = make_customer(session, "Fading Away")
    views = [make_behavior(session, fading, at=days_ago(d)) for d in (40, 50, 60, 70, 80, 90)]
    make_interaction(session, fading, at=days_ago(45), outcome="no_answer")  # not a touch
    steady = make_customer(session, "Steady")
    for d in (5, 12, 40, 50, 60, 70, 80, 90):
        make_behavior(session, steady, at=days_ago(d))

    found = insights_for_customers(session, [fading.id, steady.id], TODAY, now=NOW)

    drop = kinds(found[fading.id])["engagement_drop"]
    assert drop.severity == "high"
    assert drop.detail == "0 touches in the last 30 days against 2.0 a month in the 90 days before"
    assert drop.evidence == [{"table": "behavior_events", "id": v.id} for v in views[:5]]
    assert "engagement_drop" not in kinds(found[steady.id])  # 2 recent, more than half of 2 a month


def test_vip_activity(session):
    vip = make_customer(session, "Big Spender", customer_type="vip")
    order = make_order(session, vip, at=days_ago(2), amount=3000)
    dropoff = make_dropoff(session, vip, at=days_ago(1), cart_value=800)
    message = make_interaction(session, vip, at=days_ago(3), type="whatsapp", direction="inbound")
    make_interaction(
        session, vip, at=days_ago(20), type="whatsapp", direction="inbound"
    )  # not this week
    calm = make_customer(session, "Calm Vip", customer_type="vip")
    calm_order = make_order(session, calm, at=days_ago(4), amount=3000)
    refresh_stats(session)

    found = insights_for_customers(session, [vip.id, calm.id], TODAY, now=NOW)

    active = kinds(found[vip.id])["vip_activity"]
    assert active.severity == "high"  # a drop-off
    assert active.detail == "last 7 days: 1 drop-off, 1 inbound message, 1 order"
    assert active.evidence == [
        {"table": "dropoffs", "id": dropoff.id},
        {"table": "orders", "id": order.id},
        {"table": "interactions", "id": message.id},
    ]
    quiet = kinds(found[calm.id])["vip_activity"]
    assert (quiet.severity, quiet.evidence) == ("low", [{"table": "orders", "id": calm_order.id}])


def test_most_severe_first_and_nothing_for_a_quiet_customer(session):
    busy = make_customer(session, "Busy")
    make_ticket(session, busy, at=days_ago(2), sla_due_at=datetime(2026, 11, 20, 18, 0))  # medium
    make_dropoff(session, busy, at=days_ago(1), cart_value=9000)  # high
    nobody = make_customer(session, "Nobody")

    assert [i.severity for i in customer_insights(session, busy.id, TODAY, now=NOW)] == [
        "high",
        "medium",
    ]
    assert customer_insights(session, nobody.id, TODAY, now=NOW) == []
    assert insights_for_customers(session, [], TODAY) == {}


def test_unknown_customer(session):
    with pytest.raises(NotFound, match="no customer with id 404"):
        customer_insights(session, 404, TODAY)
    assert insights_for_customers(session, [404], TODAY) == {}
