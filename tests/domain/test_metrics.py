"""One customer's metrics and scores (the 360 view's numbers)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import NotFound
from domain.metrics import customer_metrics, scores_for_customer
from domain.models import SupportTicket
from domain.rfm import rfm_table
from domain.stats import refresh_derived, refresh_stats
from tests.domain.test_stats import (
    DHAKA,
    TODAY,
    at,
    behaviour,
    customer,
    dropoff,
    interaction,
    order,
)


def test_customer_metrics_hand_computed():
    stats = SimpleNamespace(order_count=4, total_spent=10000, first_order_at=at(300),
                            last_order_at=at(30))
    m = customer_metrics(stats, TODAY, tz=DHAKA, customer_since=at(400))
    assert (m.lifetime_value, m.order_count, m.average_order_value) == (10000, 4, 2500)
    assert (m.days_since_last_order, m.tenure_days) == (30, 400)
    assert m.average_days_between_orders == 90.0  # 270 days over 3 gaps
    assert m.purchase_frequency == round(4 / 400 * 30.4375, 2)
    assert m.repeat_purchase_rate == 0.75
    none = customer_metrics(None, TODAY, tz=DHAKA)
    assert (none.lifetime_value, none.order_count, none.days_since_last_order) == (0, 0, None)
    assert none.tenure_days == 0
    assert customer_metrics(SimpleNamespace(order_count=1, total_spent=500, first_order_at=at(3),
                                            last_order_at=at(3)), TODAY, tz=DHAKA
                            ).purchase_frequency == 1.0  # tenure counted as at least a month


@given(st.integers(0, 60), st.integers(0, 900), st.integers(0, 900))
def test_metrics_stay_in_range(orders, first, last):
    first, last = max(first, last), min(first, last)
    stats = SimpleNamespace(order_count=orders, total_spent=orders * 100,
                            first_order_at=at(first) if orders else None,
                            last_order_at=at(last) if orders else None)
    m = customer_metrics(stats, TODAY, tz=DHAKA)
    assert 0 <= m.repeat_purchase_rate < 1 and m.purchase_frequency >= 0
    assert m.tenure_days >= (m.days_since_last_order or 0)


def test_scores_for_customer_hand_computed(session):
    cid = customer(session, "Rahim Uddin")
    order(session, cid, 50, 4500)
    order(session, cid, 20, 1000, status="refunded")
    interaction(session, cid, 19, "interested")
    interaction(session, cid, 10, "complaint", direction="inbound")
    interaction(session, cid, 120, "no_answer")  # outside the 90-day window
    dropoff(session, cid, 2, 5500)
    behaviour(session, cid, 1, count=3)
    behaviour(session, cid, 12, "search")
    session.add(SupportTicket(customer_id=cid, subject="late delivery", status="open",
                              sla_due_at=at(1), created_at=at(3)))
    session.add(SupportTicket(customer_id=cid, subject="refund", status="closed", csat=2,
                              created_at=at(60), resolved_at=at(55)))
    refresh_stats(session, [cid])
    refresh_derived(session, TODAY, [cid], tz=DHAKA)

    s = scores_for_customer(session, cid, TODAY, tz=DHAKA)
    assert (s.name, s.metrics.lifetime_value, s.metrics.days_since_last_order) == (
        "Rahim Uddin", 4500, 50)
    assert (s.rfm.score, s.rfm.segment.value) == ("414", "New Customers")
    assert (s.temperature, s.lifecycle_stage, s.customer_type) == ("hot", "first_buyer", "new")
    # contact 10 days ago: 35 x 80/90; 2 contacts in 90 days; 2 responses (interested, inbound);
    # 4 browsing events in 30 days
    assert s.engagement_score == round(35 * 80 / 90 + 25 * 2 / 6 + 20 * 2 / 4 + 20 * 4 / 10, 1)
    # support: 100 - 20 (open) - 20 (past SLA) - 15 (complaint) + 10 x (2 - 3) (CSAT)
    assert s.health.factors.support == 35
    assert s.health.factors.purchase == round(100 * (1 + 4 - 2) / 8, 1)
    assert s.health.factors.recency == round(100 * (1 - 20 / 335), 1)
    assert "1 complaint in the last 90 days" in s.churn.drivers
    json.loads(s.model_dump_json())  # serialisable for tools and HTTP


def test_scores_agree_with_the_rfm_table_in_both_modes(session):
    ids = [customer(session, f"C{k}") for k in range(6)]
    for k, cid in enumerate(ids):
        for n in range(k + 1):
            order(session, cid, 15 * k + 40 * n, 400 * (k + 1))
    refresh_stats(session)
    for mode in ("fixed", "quintile"):
        table = {r.customer_id: r for r in rfm_table(session, TODAY, mode=mode, tz=DHAKA)}
        for cid in ids:
            assert scores_for_customer(session, cid, TODAY, tz=DHAKA, mode=mode).rfm == table[cid]


def test_locked_lifecycle_and_unknown_customer(session):
    cid = customer(session, "Hand Set", lifecycle_stage="loyal", lifecycle_locked=True)
    scores = scores_for_customer(session, cid, TODAY, tz=DHAKA)
    assert (scores.lifecycle_stage, scores.lifecycle_locked, scores.rfm) == ("loyal", True, None)
    assert scores.churn.drivers[0].startswith("no purchase since joining 400 days ago")
    with pytest.raises(NotFound, match="999"):
        scores_for_customer(session, 999, TODAY, tz=DHAKA)
