"""The pure scoring rules: hand-checked cases and hypothesis properties (ranges, monotonicity)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import CustomerType, LifecycleStage, Temperature
from domain.scores import (
    churn_risk,
    customer_type,
    engagement_score,
    health_score,
    lifecycle_codes,
    lifecycle_stage,
    temperature,
    temperature_codes,
)

DAYS = st.none() | st.integers(0, 1500)
COUNTS = st.integers(0, 50)
HEAT = {Temperature.cold: 0, Temperature.warm: 1, Temperature.hot: 2}


# ---------------------------------------------------------------------------------- temperature
@pytest.mark.parametrize("kwargs, expected", [
    ({"days_since_order": 14}, "hot"),
    ({"days_since_order": 15}, "warm"),
    ({"days_since_order": 90}, "warm"),
    ({"days_since_order": 91}, "cold"),
    ({"days_since_order": None, "days_since_positive": 3}, "hot"),
    ({"days_since_order": 400, "days_since_positive": 60}, "warm"),
    ({"days_since_order": None, "carts_7d": 1}, "hot"),
    ({"days_since_order": None, "views_7d": 5}, "hot"),
    ({"days_since_order": None, "views_7d": 4}, "warm"),
    ({"days_since_order": None, "events_30d": 1}, "warm"),
    ({"days_since_order": None, "days_since_dropoff": 7}, "hot"),
    ({"days_since_order": None, "days_since_dropoff": 30}, "warm"),
    ({"days_since_order": None, "days_since_dropoff": 31}, "cold"),
    ({"days_since_order": None, "days_since_inbound": 30}, "warm"),
    ({"days_since_order": 200, "days_since_inbound": 31}, "cold"),
    ({"days_since_order": None}, "cold"),
])
def test_temperature_rules(kwargs, expected):
    days = kwargs.pop("days_since_order")
    assert temperature(days, **kwargs) == Temperature(expected)


@given(DAYS, DAYS, COUNTS, COUNTS, COUNTS, DAYS, DAYS, st.integers(0, 1500))
def test_temperature_never_cools_when_something_gets_more_recent(
        order, positive, views, carts, events, dropoff, inbound, sooner):
    base = temperature(order, positive, views_7d=views, carts_7d=carts, events_30d=events,
                       days_since_dropoff=dropoff, days_since_inbound=inbound)
    for better in (
        temperature(sooner if order is None else min(order, sooner), positive, views_7d=views,
                    carts_7d=carts, events_30d=events, days_since_dropoff=dropoff,
                    days_since_inbound=inbound),
        temperature(order, positive, views_7d=views + 1, carts_7d=carts + 1, events_30d=events + 1,
                    days_since_dropoff=dropoff, days_since_inbound=inbound),
    ):
        assert HEAT[better] >= HEAT[base]


@given(st.lists(st.tuples(DAYS, DAYS, COUNTS, COUNTS, COUNTS, DAYS, DAYS), min_size=1, max_size=30))
def test_vectorized_temperature_equals_the_scalar_rule(rows):
    def nan(x):
        return math.nan if x is None else x

    cols = list(zip(*rows))
    arrays = [np.array([nan(v) for v in col], float) for col in cols]
    events = np.maximum.reduce([arrays[2], arrays[3], arrays[4]])  # the scalar wrapper's rule
    got = temperature_codes(*arrays[:4], events, arrays[5], arrays[6])
    want = [temperature(o, p, views_7d=v, carts_7d=c, events_30d=e, days_since_dropoff=d,
                        days_since_inbound=i).value for o, p, v, c, e, d, i in rows]
    assert list(got) == want


# -------------------------------------------------------------------------- lifecycle and type
@pytest.mark.parametrize("args, expected", [
    ((0, None, 0, False), "lead"),
    ((0, None, 1, False), "prospect"),
    ((0, None, 0, True), "prospect"),
    ((1, 10, 0, False), "first_buyer"),
    ((2, 10, 3, False), "repeat_buyer"),
    ((4, 10, 3, False), "repeat_buyer"),
    ((5, 90, 3, False), "loyal"),
    ((5, 91, 3, False), "repeat_buyer"),
    ((1, 179, 0, False), "first_buyer"),
    ((1, 180, 0, False), "inactive"),
    ((12, 400, 9, True), "inactive"),
])
def test_lifecycle_rules(args, expected):
    assert lifecycle_stage(*args) == LifecycleStage(expected)


@given(COUNTS, DAYS, COUNTS, st.booleans())
def test_lifecycle_follows_the_order_count(orders, days, contacts, engaged):
    stage = lifecycle_stage(orders, days, contacts, engaged)
    if orders == 0:
        assert stage in (LifecycleStage.lead, LifecycleStage.prospect)
    else:
        assert stage not in (LifecycleStage.lead, LifecycleStage.prospect)
    assert lifecycle_codes([orders], [math.nan if days is None else days], [contacts],
                           [engaged])[0] == stage.value


@pytest.mark.parametrize("args, expected", [
    ((0, 0, None), "new"), ((1, 900, 5), "new"), ((2, 900, 5), "repeat"),
    ((1, 50000, 5), "vip"), ((3, 60000, 200), "inactive"), ((3, 900, 180), "inactive"),
])
def test_customer_type_rules(args, expected):
    assert customer_type(*args) == CustomerType(expected)


# ------------------------------------------------------------------------------------ engagement
@given(DAYS, COUNTS, COUNTS, COUNTS)
def test_engagement_is_within_0_100_and_grows_with_activity(days, contacts, responses, events):
    score = engagement_score(days, contacts, responses, events)
    assert 0 <= score <= 100
    sooner = 0 if days is None else max(days - 5, 0)
    assert engagement_score(sooner, contacts, responses, events) >= score
    assert engagement_score(days, contacts + 1, responses + 1, events + 1) >= score


def test_engagement_hand_computed():
    # contact 18 days ago: 35 x (1 - 18/90) = 28; 3 contacts: 12.5; 1 response: 5; 4 events: 8
    assert engagement_score(18, 3, 1, 4) == 53.5
    assert engagement_score(0, 6, 4, 10) == 100
    assert engagement_score(None, 0, 0, 0) == 0


# ---------------------------------------------------------------------------------------- health
def test_health_hand_computed():
    h = health_score(7, 3000, 30, 50.0, open_tickets=1, complaints_90d=1, csat_average=4.0)
    # purchase (F4 + M4 - 2) / 8 = 75; recency 100; support 100 - 20 - 15 + 10 = 75
    assert (h.factors.purchase, h.factors.recency, h.factors.engagement, h.factors.support) == (
        75.0, 100.0, 50.0, 75.0)
    assert h.score == round(0.35 * 75 + 0.30 * 100 + 0.20 * 50 + 0.15 * 75, 1) == 77.5
    assert h.level == "excellent"
    assert health_score(0, 0, None, 0).level == "poor"
    assert json.loads(h.model_dump_json())["factors"]["support"] == 75.0


@given(COUNTS, st.floats(0, 1e6), DAYS, st.floats(0, 100), st.integers(0, 5), st.integers(0, 5),
       st.integers(0, 5), st.none() | st.floats(1, 5))
def test_health_is_within_0_100_and_rewards_recency_and_spend(
        orders, spent, days, engagement, tickets, overdue, complaints, csat):
    kw = {"open_tickets": tickets, "overdue_tickets": overdue, "complaints_90d": complaints,
          "csat_average": csat}
    h = health_score(orders, spent, days, engagement, **kw)
    assert 0 <= h.score <= 100
    assert all(0 <= v <= 100 for v in h.factors.model_dump().values())
    assert h.level == ("excellent" if h.score >= 75 else "good" if h.score >= 55
                       else "fair" if h.score >= 35 else "poor")
    sooner = 0 if days is None else max(days - 20, 0)
    assert health_score(orders, spent, sooner, engagement, **kw).score >= h.score
    assert health_score(orders, spent * 2 + 1, days, engagement, **kw).score >= h.score


# ----------------------------------------------------------------------------------------- churn
def test_churn_drivers_say_what_and_how_much():
    risk = churn_risk(143, 3, average_gap_days=40, days_since_contact=75, complaints_90d=1,
                      engagement=12)
    assert risk.level == "high" and risk.probability > 0.9
    assert risk.drivers == [
        "no purchase for 143 days", "last order 143 days ago, 3.6x their usual 40-day gap",
        "no contact for 75 days", "1 complaint in the last 90 days",
        "low engagement (score 12/100)"]
    assert len(risk.suggestions) == 5
    happy = churn_risk(10, 12, average_gap_days=30, days_since_contact=5, engagement=80)
    assert happy.level == "low" and happy.drivers == [] and happy.suggestions
    lead = churn_risk(None, 0, tenure_days=45, days_since_contact=None)
    assert lead.drivers[:2] == ["no purchase since joining 45 days ago", "never contacted"]


@given(st.integers(0, 2000), st.integers(0, 2000), st.integers(1, 30),
       st.none() | st.floats(1, 365), DAYS, st.integers(0, 5), st.floats(0, 100))
def test_churn_is_a_probability_that_never_drops_as_recency_worsens(
        a, b, orders, gap, contact, complaints, engagement):
    kw = {"average_gap_days": gap, "days_since_contact": contact, "complaints_90d": complaints,
          "engagement": engagement}
    recent, stale = churn_risk(min(a, b), orders, **kw), churn_risk(max(a, b), orders, **kw)
    assert 0 <= recent.probability <= 1 and 0 <= stale.probability <= 1
    assert stale.probability >= recent.probability
    assert stale.level == ("high" if stale.probability >= 0.6 else
                           "medium" if stale.probability >= 0.3 else "low")
