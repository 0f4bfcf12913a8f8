"""RFM: the seed CRM's bands, the segment rules, and the table / distribution computed in SQL."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import RfmSegment
from domain.errors import DomainError
from domain.rfm import (
    SEGMENT_ORDER,
    frequency_score,
    monetary_score,
    parse_segment,
    recency_score,
    rfm_distribution,
    rfm_table,
    segment_for,
)
from domain.stats import refresh_stats
from tests.domain.test_stats import DHAKA, TODAY, at, customer, order

SCORES = st.integers(1, 5)


# ------------------------------------------------------------------------------------ pure rules
@pytest.mark.parametrize("days, score", [
    (0, 5), (30, 5), (31, 4), (60, 4), (61, 3), (90, 3), (91, 2), (180, 2), (181, 1), (None, 1)])
def test_recency_bands(days, score):
    assert recency_score(days) == score


@pytest.mark.parametrize("orders, score", [(1, 1), (2, 2), (3, 2), (4, 3), (6, 3), (7, 4), (9, 4),
                                           (10, 5), (250, 5)])
def test_frequency_bands(orders, score):
    assert frequency_score(orders) == score


@pytest.mark.parametrize("amount, score", [(0, 1), (499.99, 1), (500, 2), (999, 2), (1000, 3),
                                           (2499, 3), (2500, 4), (4999, 4), (5000, 5), (1e7, 5)])
def test_monetary_bands(amount, score):
    assert monetary_score(amount) == score


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_a_more_recent_purchase_never_lowers_recency(a, b):
    recent, older = min(a, b), max(a, b)
    assert recency_score(recent) >= recency_score(older) >= recency_score(None)


@given(st.floats(0, 1e7), st.floats(0, 1e7))
def test_more_spend_never_lowers_monetary(a, b):
    assert monetary_score(max(a, b)) >= monetary_score(min(a, b))


@given(st.integers(1, 500), st.integers(1, 500))
def test_more_orders_never_lower_frequency(a, b):
    assert frequency_score(max(a, b)) >= frequency_score(min(a, b))


@given(SCORES, SCORES, SCORES)
def test_every_triple_has_exactly_one_segment(r, f, m):
    assert segment_for(r, f, m) in SEGMENT_ORDER


def test_segment_fixed_points():
    assert segment_for(5, 5, 5) is RfmSegment.champions
    for r in (1, 2):
        for f in (4, 5):
            for m in (4, 5):
                assert segment_for(r, f, m) is RfmSegment.at_risk, (r, f, m)


def test_segment_names_parse_in_any_case():
    assert parse_segment("at risk") is parse_segment("At_Risk") is RfmSegment.at_risk
    assert parse_segment("vip") is RfmSegment.vip
    with pytest.raises(DomainError, match="Champions"):
        parse_segment("Whales")


# -------------------------------------------------------------------------------- over the database
def _world(session) -> dict[str, int]:
    ids = {key: customer(session, key.title()) for key in (
        "champ", "vip", "at_risk", "new", "lost", "potential", "no_purchase", "boundary")}
    for k in range(10):
        order(session, ids["champ"], 5 + 20 * k, 600)
    order(session, ids["vip"], 80, 6000)
    for k in range(7):
        order(session, ids["at_risk"], 100 + 10 * k, 3000 / 7)
    order(session, ids["new"], 10, 300)
    order(session, ids["lost"], 400, 100)
    order(session, ids["potential"], 45, 300)
    order(session, ids["potential"], 70, 300)
    order(session, ids["no_purchase"], 3, 900, status="cancelled")
    # 00:30 in Dhaka, 30 local days ago (31 days ago in UTC): still "within 30 days"
    order(session, ids["boundary"], 0, 100, when=at(30, 0, 30))
    erased = customer(session, "Erased", status="erased")
    order(session, erased, 1, 99999)
    refresh_stats(session)
    return ids


def test_rfm_table_hand_computed(session):
    ids = _world(session)
    rows = rfm_table(session, TODAY, tz=DHAKA)
    by_key = {key: row for row in rows for key, cid in ids.items() if row.customer_id == cid}
    assert {key: (row.score, row.segment) for key, row in by_key.items()} == {
        "champ": ("555", RfmSegment.champions),
        "vip": ("315", RfmSegment.vip),
        "at_risk": ("244", RfmSegment.at_risk),
        "new": ("511", RfmSegment.new_customers),
        "lost": ("111", RfmSegment.lost),
        "potential": ("422", RfmSegment.potential_loyalists),
        "boundary": ("511", RfmSegment.new_customers),
    }
    champ = by_key["champ"]
    assert (champ.name, champ.recency_days, champ.frequency, champ.monetary) == (
        "Champ", 5, 10, 6000.0)
    assert by_key["boundary"].recency_days == 30
    # best first: M, then F, then R, then spend
    assert [r.customer_id for r in rows] == [ids[k] for k in (
        "champ", "vip", "at_risk", "potential", "new", "boundary", "lost")]
    assert [r.customer_id for r in rfm_table(session, TODAY, segment="at risk", tz=DHAKA)] == [
        ids["at_risk"]]
    assert [r.customer_id for r in rfm_table(session, TODAY, limit=2, tz=DHAKA)] == [
        ids["champ"], ids["vip"]]
    assert [r.customer_id for r in rfm_table(
        session, TODAY, customer_ids=[ids["lost"], ids["new"], ids["no_purchase"]], tz=DHAKA)] == [
        ids["new"], ids["lost"]]
    assert rfm_table(session, TODAY, segment=RfmSegment.loyal, tz=DHAKA) == []


def test_rfm_distribution_hand_computed(session):
    _world(session)
    dist = rfm_distribution(session, TODAY, tz=DHAKA)
    assert (dist.customers, dist.with_purchase, dist.no_purchase) == (8, 7, 1)
    assert dist.no_purchase_share == round(1 / 8, 4)
    assert [(s.segment, s.count) for s in dist.segments] == [
        (RfmSegment.champions, 1), (RfmSegment.vip, 1), (RfmSegment.loyal, 0),
        (RfmSegment.new_customers, 2), (RfmSegment.potential_loyalists, 1), (RfmSegment.at_risk, 1),
        (RfmSegment.lost, 1)]
    assert dist.segments[3].share == round(2 / 7, 4)
    assert dist.model_dump(mode="json")["segments"][0] == {
        "segment": "Champions", "count": 1, "share": round(1 / 7, 4)}


def test_monetary_thresholds_are_configurable(session):
    ids = _world(session)
    (lost,) = rfm_table(session, TODAY, thresholds=(100, 50, 20, 10), customer_ids=[ids["lost"]],
                        tz=DHAKA)
    assert lost.score == "115"


def test_quintile_mode_ranks_the_population(session):
    ids = []
    for k in range(1, 6):  # customer k: k orders, 100k spent, last order (6 - k) * 50 days ago
        cid = customer(session, f"Q{k}")
        ids.append(cid)
        for n in range(k):
            order(session, cid, (6 - k) * 50 + n, 100)
    refresh_stats(session)
    rows = {r.customer_id: r for r in rfm_table(session, TODAY, mode="quintile", tz=DHAKA)}
    assert [rows[cid].score for cid in ids] == ["111", "222", "333", "444", "555"]
    # a tie with the best: equal values, equal scores; the lowest still scores 1
    twin = customer(session, "Twin")
    for n in range(5):
        order(session, twin, 50 + n, 100)
    refresh_stats(session)
    rows = {r.customer_id: r for r in rfm_table(session, TODAY, mode="quintile", tz=DHAKA)}
    assert rows[twin].score == rows[ids[4]].score == "444"
    assert [rows[cid].score for cid in ids[:4]] == ["111", "111", "222", "333"]
    dist = rfm_distribution(session, TODAY, mode="quintile", tz=DHAKA)
    assert dist.with_purchase == 6 and sum(s.count for s in dist.segments) == 6


def test_bad_parameters_are_refused(session):
    with pytest.raises(DomainError, match="fixed"):
        rfm_distribution(session, TODAY, mode="median", tz=DHAKA)
    with pytest.raises(DomainError, match="decreasing"):
        rfm_table(session, TODAY, thresholds=(500, 1000, 2500, 5000), tz=DHAKA)
    with pytest.raises(DomainError, match="limit"):
        rfm_table(session, TODAY, limit=0, tz=DHAKA)
    with pytest.raises(DomainError, match="segment"):
        rfm_table(session, TODAY, segment="Whales", tz=DHAKA)
