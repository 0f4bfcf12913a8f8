"""rfm_segment on a small world: one customer's scores and why, a segment's members, the distribution."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.stats import refresh_stats
from tests.factories import make_customer, make_order
from tests.tools.conftest import call

TODAY = date(2026, 11, 20)


@pytest.fixture
def world(build):
    """Six buyers with hand-picked R, F, M (fixed bands; monetary 5000 / 2500 / 1000 / 500) and a lead."""
    def orders(s, name: str, days_ago: list[int], amount: float) -> int:
        c = make_customer(s, name)
        for n in days_ago:
            make_order(s, c, at=TODAY - timedelta(days=n), amount=amount)
        return c.id

    def make(s):
        ids = {
            "champ": orders(s, "Champa Chowdhury", list(range(5, 15)), 600),  # 5 days, 10 orders, 6,000: 555
            "asif": orders(s, "Asif Rahman", [120, 150, 180, 210, 240, 270, 300], 1000),  # 120 d, 7, 7,000: 245
            "aziz": orders(s, "Aziz Rahman", [100, 130, 160, 190], 2000),  # 100 days, 4, 8,000: 235
            "vera": orders(s, "Vera Begum", [20, 50], 4000),  # 20 days, 2, 8,000: 525
            "nila": orders(s, "Nila Sen", [10], 800),  # 10 days, 1, 800: 512
            "lina": orders(s, "Lina Das", [200], 300),  # 200 days, 1, 300: 111
        }
        paul = make_customer(s, "Paul Prospect")
        make_order(s, paul, at=TODAY - timedelta(days=3), amount=999, status="cancelled")  # not a purchase
        ids["paul"] = paul.id
        refresh_stats(s)
        return ids
    return build(make)


def test_one_customer_with_the_reasons(make_ctx, world):
    result = call("rfm_segment", {"customer": "Asif Rahman"}, make_ctx())
    assert result.ok, result.text
    c = result.customer
    assert (c.customer_id, c.r, c.f, c.m, c.score, c.segment) == (world["asif"], 2, 4, 5, "245", "At Risk")
    assert (c.recency_days, c.frequency, c.monetary) == (120, 7, 7000)
    assert c.why == ["R=2: last order 120 days ago (91 to 180 days)", "F=4: 7 completed orders (7 to under 10)",
                     "M=5: BDT 7,000 spent (BDT 5,000 or more)"]
    assert result.text.startswith(f"Asif Rahman (#{world['asif']}): RFM 245, segment At Risk: used to buy often")
    champ = call("rfm_segment", {"customer": world["champ"]}, make_ctx())
    assert (champ.customer.score, champ.customer.segment) == ("555", "Champions")
    assert "R=5: last order 5 days ago (within 30 days)" in champ.customer.why


def test_a_customer_without_a_purchase_has_no_segment(make_ctx, world):
    result = call("rfm_segment", {"customer": "Paul Prospect"}, make_ctx())
    assert result.ok and result.customer is None and result.customer_name == "Paul Prospect"
    assert "no completed order yet" in result.text


def test_customer_and_segment_says_whether_they_belong(make_ctx, world):
    yes = call("rfm_segment", {"customer": world["vera"], "segment": "vip"}, make_ctx())
    assert (yes.customer.score, yes.in_segment, yes.segment) == ("525", True, "VIP") and yes.text.endswith("In VIP.")
    no = call("rfm_segment", {"customer": world["nila"], "segment": "Champions"}, make_ctx())
    assert (no.customer.segment, no.in_segment) == ("New Customers", False)


@pytest.mark.parametrize("name", ["At Risk", "at risk", "AT_RISK", "at-risk customers"])
def test_a_segments_members_best_first(make_ctx, world, name):
    result = call("rfm_segment", {"segment": name}, make_ctx())
    assert result.ok, result.text
    assert result.segment == "At Risk" and result.segment_count == 2
    # best first: M, then F, then R; Asif 245 before Aziz 235
    assert [(m.name, m.score) for m in result.members] == [("Asif Rahman", "245"), ("Aziz Rahman", "235")]
    assert result.text.splitlines()[0] == "At Risk: 2 customers (33.3% of buyers):"
    assert result.text.splitlines()[1] == f"1. Asif Rahman (#{world['asif']}) RFM 245: BDT 7,000 over 7 orders, " \
                                          "last 120 days ago"


def test_segment_limit_and_singular_names(make_ctx, world):
    top = call("rfm_segment", {"segment": "at risk", "limit": 1}, make_ctx())
    assert [m.name for m in top.members] == ["Asif Rahman"] and top.segment_count == 2
    assert "best 1 first" in top.text
    champions = call("rfm_segment", {"segment": "champion"}, make_ctx())
    assert [m.name for m in champions.members] == ["Champa Chowdhury"]
    loyal = call("rfm_segment", {"segment": "Loyal Customers"}, make_ctx())
    assert loyal.members == [] and loyal.segment_count == 0 and loyal.text == "Loyal Customers: no customers right now."


def test_the_distribution(make_ctx, world):
    result = call("rfm_segment", {}, make_ctx())
    assert (result.customers, result.with_purchase, result.no_purchase) == (7, 6, 1)
    assert [(s.segment, s.count, s.share) for s in result.distribution] == [
        ("Champions", 1, 0.1667), ("VIP", 1, 0.1667), ("Loyal Customers", 0, 0.0), ("New Customers", 1, 0.1667),
        ("Potential Loyalists", 0, 0.0), ("At Risk", 2, 0.3333), ("Lost", 1, 0.1667)]
    lines = result.text.splitlines()
    assert lines[0] == "RFM segments of 6 customers with a purchase (fixed scoring):"
    assert "- At Risk: 2 (33.3%)" in lines and lines[-1] == "1 of 7 customers have no completed order yet."


def test_quintile_mode_scores_against_the_other_buyers(make_ctx, world):
    # score = 1 + floor(5 x share of buyers with a strictly lower value; recency: an older last order).
    # Asif: 1 of 6 older (R=1), 4 of 6 with fewer orders (F=4), 3 of 6 spent less (M=3).
    result = call("rfm_segment", {"customer": world["asif"]}, make_ctx(rfm_mode="quintile"))
    assert (result.mode, result.customer.score, result.customer.segment) == ("quintile", "143", "At Risk")
    assert result.customer.why[0] == "R=1: last order 120 days ago (bottom fifth of buyers by recency)"


@pytest.mark.parametrize("args, error, words", [
    ({"segment": "Big Spenders"}, "invalid",
     "use one of: Champions, VIP, Loyal Customers, New Customers, Potential Loyalists, At Risk, Lost"),
    ({"customer": "Rahman"}, "ambiguous", "2 customers"),
    ({"customer": "Nobody Here"}, "not_found", "Nobody Here"),
    ({"limit": 0}, "invalid", "limit"),
    ({"segments": "VIP"}, "invalid", "segments"),
])
def test_refusals(make_ctx, world, args, error, words):
    result = call("rfm_segment", args, make_ctx())
    assert not result.ok and result.error == error, result
    assert words in result.message
