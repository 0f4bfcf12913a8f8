"""CLV: BG/NBD and Gamma-Gamma likelihoods against hand computation and the published CDNOW fit,
model properties, and the fit on the business's own orders on both database backends."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import hyp2f1
from sqlalchemy import func, insert, select

from domain.clv import (
    BgNbdParams,
    GammaGammaParams,
    bgnbd_log_likelihood,
    clv,
    expected_purchases,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    p_alive,
    summarise_transactions,
)
from domain.clv.business import (
    MIN_REPEAT_CUSTOMERS,
    clv_for_customers,
    customer_clv,
    fit_from_orders,
    latest_clv_model,
)
from domain.clv.cdnow import fit_cdnow, holdout_check, read_cdnow
from domain.errors import DomainError, NotFound
from domain.models import ClvModel, Customer, Order

# The real CDNOW data lives next to the repository, in ../shared/data/cdnow (see its README).
CDNOW_SAMPLE = Path(__file__).resolve().parents[3] / "shared/data/cdnow/CDNOW_sample.txt"
PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


# ---------------------------------------------------------------- CDNOW, the published numbers


def test_cdnow_sample_reproduces_the_published_estimates():
    transactions = read_cdnow(CDNOW_SAMPLE)
    fit = fit_cdnow(transactions)
    assert fit.summary.x.size == 2357 and int((fit.summary.x > 0).sum()) == 946
    assert int(fit.summary.x.sum()) == 2457
    b, g = fit.bgnbd, fit.gamma_gamma
    assert (round(b.r, 3), round(b.alpha, 3), round(b.a, 3), round(b.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(b.ll, 1) == -9582.4
    assert (round(g.p, 2), round(g.q, 2), round(g.gamma, 2)) == (6.25, 3.74, 15.44)
    check = holdout_check(transactions, fit)
    assert check.weeks == 39 and check.actual == 1882
    assert (
        0.8 < check.predicted / check.actual < 1.0
    )  # BG/NBD under-forecasts CDNOW's holdout a bit


def test_read_cdnow_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(" 00004 0001 19970101  2   29.33\n 00004 0001 19970231  2   29.73\n")
    with pytest.raises(DomainError, match="line 2: date '19970231'"):
        read_cdnow(path)
    path.write_text(" 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2\n")
    with pytest.raises(DomainError, match="line 2: expected 5 columns"):
        read_cdnow(path)


# ---------------------------------------------------------------- likelihoods by hand


def _bgnbd_likelihood_by_hand(p: BgNbdParams, x: int, t_x: float, T: float) -> float:
    """Equation (6) of Fader, Hardie & Lee (2005), written out with plain gamma functions."""
    beta = lambda u, v: math.gamma(u) * math.gamma(v) / math.gamma(u + v)  # noqa: E731
    nbd = math.gamma(p.r + x) * p.alpha**p.r / math.gamma(p.r)
    value = beta(p.a, p.b + x) / beta(p.a, p.b) * nbd / (p.alpha + T) ** (p.r + x)
    if x > 0:
        value += beta(p.a + 1, p.b + x - 1) / beta(p.a, p.b) * nbd / (p.alpha + t_x) ** (p.r + x)
    return value


def test_bgnbd_log_likelihood_matches_a_hand_computation():
    customers = [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 29.0, 31.5)]
    x, t_x, T = map(np.array, zip(*customers))
    computed = bgnbd_log_likelihood(PUBLISHED, x, t_x, T)
    by_hand = [math.log(_bgnbd_likelihood_by_hand(PUBLISHED, *c)) for c in customers]
    np.testing.assert_allclose(computed, by_hand, rtol=1e-12)


def test_gamma_gamma_log_likelihood_matches_a_hand_computation():
    params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    for x, z in [(1, 20.0), (4, 35.5)]:
        px, q, g = params.p * x, params.q, params.gamma
        by_hand = (
            math.gamma(px + q)
            / (math.gamma(px) * math.gamma(q))
            * g**q
            * z ** (px - 1)
            * x**px
            / (g + x * z) ** (px + q)
        )
        assert gamma_gamma_log_likelihood(params, x, z) == pytest.approx(
            math.log(by_hand), rel=1e-12
        )


def test_p_alive_by_hand_and_one_without_repeat_purchases():
    p = PUBLISHED
    assert p_alive(p, 0, 0, 50.0) == 1.0
    odds = p.a / (p.b + 2 - 1) * ((p.alpha + 38.86) / (p.alpha + 30.43)) ** (p.r + 2)
    assert p_alive(p, 2, 30.43, 38.86) == pytest.approx(1 / (1 + odds), rel=1e-12)


def test_expected_purchases_agrees_with_the_paper_and_the_unconditional_formula():
    p, t = PUBLISHED, 39.0
    x, t_x, T = (
        np.array([1.0, 2.0, 5.0]),
        np.array([2.0, 30.43, 20.0]),
        np.array([38.86, 38.86, 30.0]),
    )
    # Equation (10) as printed, with the hypergeometric term untransformed.
    z = t / (p.alpha + T + t)
    direct = (
        (p.a + p.b + x - 1)
        / (p.a - 1)
        * (
            1
            - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x)
            * hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z)
        )
        * p_alive(p, x, t_x, T)
    )
    np.testing.assert_allclose(expected_purchases(p, t, x, t_x, T), direct, rtol=1e-10)
    # A customer observed for no time at all is a random new customer: E[X(t)], equation (9).
    unconditional = (
        (p.a + p.b - 1)
        / (p.a - 1)
        * (
            1
            - (p.alpha / (p.alpha + t)) ** p.r * hyp2f1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t))
        )
    )
    assert expected_purchases(p, t, 0, 0, 0) == pytest.approx(unconditional, rel=1e-10)


def test_expected_spend_and_discounted_clv():
    gg = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    population = 6.25 * 15.44 / 2.74
    assert expected_spend(gg, 0, 0) == pytest.approx(population)
    assert population < expected_spend(gg, 3, 60.0) < 60.0
    x, t_x, T, m = (
        np.array([0.0, 3.0]),
        np.array([0.0, 20.0]),
        np.array([10.0, 30.0]),
        np.array([0.0, 60.0]),
    )
    undiscounted = clv(PUBLISHED, gg, x, t_x, T, m, horizon=52)
    np.testing.assert_allclose(
        undiscounted,
        expected_purchases(PUBLISHED, 52, x, t_x, T) * expected_spend(gg, x, m),
        rtol=1e-10,
    )
    assert np.all(clv(PUBLISHED, gg, x, t_x, T, m, horizon=52, discount_rate=0.1) < undiscounted)


@pytest.mark.parametrize(
    "x, t_x, T, match",
    [
        (-1, 0, 5, "whole number"),
        (1.5, 1, 5, "whole number"),
        (2, 6, 5, "exceed T"),
        (0, 2, 5, "must be 0"),
    ],
)
def test_bad_summaries_are_refused(x, t_x, T, match):
    with pytest.raises(DomainError, match=match):
        p_alive(PUBLISHED, x, t_x, T)


def test_fit_recovers_simulated_parameters():
    rng = np.random.default_rng(7)
    truth = BgNbdParams(r=0.6, alpha=6.0, a=0.9, b=3.0)
    T = rng.uniform(20, 80, 6000)
    x, t_x, _ = _simulate_bgnbd(rng, truth, T)
    fitted = fit_bgnbd(x, t_x, T)
    assert fitted.ll >= bgnbd_log_likelihood(truth, x, t_x, T).sum()  # it is the maximum
    assert fitted.r == pytest.approx(truth.r, rel=0.2)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.25)


def test_fits_refuse_data_without_signal():
    with pytest.raises(DomainError, match="repeat purchase"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(DomainError, match="variation in spend"):
        fit_gamma_gamma([1, 2, 3], [10.0, 10.0, 10.0])


def test_summary_counts_one_transaction_per_day_and_not_the_first():
    ids = [1, 1, 1, 1, 2, 3]
    days = [100, 100, 107, 121, 110, 130]  # customer 3 bought after the end: not in the summary
    values = [10.0, 5.0, 20.0, 40.0, 8.0, 99.0]
    s = summarise_transactions(ids, days, values, end_day=128)
    assert s.customer_ids.tolist() == [1, 2]
    assert s.x.tolist() == [2.0, 0.0]
    np.testing.assert_allclose(s.t_x, [3.0, 0.0])
    np.testing.assert_allclose(s.T, [4.0, 18 / 7])
    np.testing.assert_allclose(s.monetary, [30.0, 0.0])  # mean of the repeat days 20 and 40
    np.testing.assert_allclose(s.mean_value, [25.0, 8.0])


# ---------------------------------------------------------------- properties

params_strategy = st.builds(
    BgNbdParams,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.5, 50),
    a=st.floats(0.05, 5),
    b=st.floats(0.05, 10),
)


@settings(max_examples=200, deadline=None)
@given(
    params_strategy,
    st.integers(1, 60),
    st.floats(0.5, 100),
    st.floats(0.01, 100),
    st.floats(0.01, 100),
)
def test_p_alive_falls_as_silence_grows(params, x, t_x, gap, more):
    earlier = float(p_alive(params, x, t_x, t_x + gap))
    later = float(p_alive(params, x, t_x, t_x + gap + more))
    assert 0.0 <= later <= earlier <= 1.0
    assert later < earlier or later == 0.0


@settings(max_examples=200, deadline=None)
@given(
    params_strategy,
    st.integers(0, 60),
    st.floats(0.0, 1.0),
    st.floats(0.1, 100),
    st.floats(0.1, 100),
)
def test_expected_purchases_grow_with_the_horizon(params, x, share, T, t):
    t_x = share * T if x > 0 else 0.0
    shorter = float(expected_purchases(params, t, x, t_x, T))
    longer = float(expected_purchases(params, 2 * t, x, t_x, T))
    assert 0.0 <= shorter <= longer * (1 + 1e-9) + 1e-12


# ---------------------------------------------------------------- the business's own orders


def _simulate_bgnbd(rng, params: BgNbdParams, T: np.ndarray):
    """Repeat purchase times per customer under BG/NBD, observed for T after the first purchase."""
    rates = rng.gamma(params.r, 1 / params.alpha, T.size)
    drop = rng.beta(params.a, params.b, T.size)
    times = []
    for rate, p, horizon in zip(rates, drop, T):
        now, bought = 0.0, []
        while True:
            now += rng.exponential(1 / rate)
            if now > horizon:
                break
            bought.append(now)
            if rng.random() < p:  # drops out right after this purchase
                break
        times.append(bought)
    x = np.array([len(b) for b in times], dtype=float)
    t_x = np.array([b[-1] if b else 0.0 for b in times])
    return x, t_x, times


def _world(session, rng, customers: int, clock) -> dict[int, list[tuple[datetime, float, str]]]:
    """Customers whose first purchase fell in the last two years, buying the BG/NBD way."""
    today_end = clock.now().replace(hour=23, minute=0)
    first = [today_end - timedelta(days=float(d)) for d in rng.uniform(0, 730, customers)]
    T_weeks = np.array([(today_end - f).total_seconds() / 604800 for f in first])
    _, _, times = _simulate_bgnbd(rng, BgNbdParams(r=0.8, alpha=8.0, a=0.7, b=2.5), T_weeks)
    spend_scale = rng.gamma(4.0, 1 / 0.004, customers)  # about BDT 1,000 per order
    ids = session.scalars(
        insert(Customer).returning(Customer.id),
        [{"name": f"Customer {i}"} for i in range(customers)],
    ).all()
    orders, history = [], {}
    for cid, start, repeat_weeks, scale in zip(ids, first, times, spend_scale):
        moments = [start] + [start + timedelta(weeks=w) for w in repeat_weeks]
        history[cid] = [
            (m, round(float(rng.gamma(6.0, scale / 6.0)), 2), "completed") for m in moments
        ]
    history[ids[0]].append((first[0] + timedelta(hours=1), 500.0, "cancelled"))  # never counted
    for cid, rows in history.items():
        orders += [
            {
                "customer_id": cid,
                "ordered_at": m.astimezone(timezone.utc),
                "total_amount": v,
                "status": s,
            }
            for m, v, s in rows
        ]
    session.execute(insert(Order), orders)
    session.commit()
    return history


def _reference_summary(history, today: date, tz) -> dict[int, tuple[int, float, float]]:
    """(x, t_x, T) per customer in weeks, the slow obvious way: distinct local purchase days."""
    result = {}
    for cid, rows in history.items():
        days = sorted({m.astimezone(tz).date() for m, _, status in rows if status == "completed"})
        days = [d for d in days if d <= today]
        if days:
            result[cid] = (len(days) - 1, (days[-1] - days[0]).days / 7, (today - days[0]).days / 7)
    return result


def test_fit_from_orders_on_a_synthetic_world(session, clock):
    rng = np.random.default_rng(11)
    history = _world(session, rng, 400, clock)
    lead = session.scalars(
        insert(Customer).returning(Customer.id), [{"name": "Never Bought"}]
    ).one()
    session.commit()
    today = clock.today()

    model = fit_from_orders(session, today, tz=clock.tz)
    session.commit()
    reference = _reference_summary(history, today, clock.tz)
    assert model.method == "bgnbd_gamma_gamma" and model.note is None
    assert model.customers == len(reference)
    assert model.repeat_customers == sum(1 for x, _, _ in reference.values() if x > 0)
    assert set(model.params) == {"bgnbd", "gamma_gamma"}
    first_days = [today - timedelta(weeks=T) for _, _, T in reference.values()]
    assert model.history_from == min(first_days) and model.as_of == today
    assert latest_clv_model(session).id == model.id

    results = clv_for_customers(session, today)
    assert [r.customer_id for r in results] == sorted(reference)
    for r in results:
        x, t_x, T = reference[r.customer_id]
        assert r.repeat_purchases == x
        expected_alive = float(p_alive(BgNbdParams(**model.params["bgnbd"]), x, t_x, T))
        assert r.probability_alive == pytest.approx(expected_alive, abs=1e-4)
        assert r.expected_purchases_90d >= 0 and r.predicted_value_365d >= 0
        assert r.method == "bgnbd_gamma_gamma" and r.currency == "BDT" and r.model_id == model.id

    one = customer_clv(session, results[0].customer_id, today, tz=clock.tz)
    assert one == results[0]
    nothing = customer_clv(session, lead, today, tz=clock.tz)
    assert nothing.method == "no_orders" and nothing.probability_alive is None
    assert nothing.predicted_value_365d == 0
    with pytest.raises(NotFound, match="no customer with id 999999"):
        customer_clv(session, 999999, today, tz=clock.tz)


def test_local_days_follow_the_business_time_zone(session, clock):
    cid = session.scalars(insert(Customer).returning(Customer.id), [{"name": "Night Owl"}]).one()
    utc = timezone.utc
    session.execute(
        insert(Order),
        [
            # 17:00 and 18:30 UTC are 23:00 on the 1st and 00:30 on the 2nd in Dhaka: two days.
            {
                "customer_id": cid,
                "ordered_at": datetime(2026, 10, 1, 17, 0, tzinfo=utc),
                "total_amount": 100,
            },
            {
                "customer_id": cid,
                "ordered_at": datetime(2026, 10, 1, 18, 30, tzinfo=utc),
                "total_amount": 200,
            },
            # Two orders on one Dhaka day: one transaction worth 300 + 50.
            {
                "customer_id": cid,
                "ordered_at": datetime(2026, 10, 8, 4, 0, tzinfo=utc),
                "total_amount": 300,
            },
            {
                "customer_id": cid,
                "ordered_at": datetime(2026, 10, 8, 9, 0, tzinfo=utc),
                "total_amount": 50,
            },
            # After the end of today in Dhaka: not yet history.
            {
                "customer_id": cid,
                "ordered_at": datetime(2026, 11, 20, 18, 5, tzinfo=utc),
                "total_amount": 9,
            },
        ],
    )
    session.commit()
    model = fit_from_orders(session, clock.today(), tz=clock.tz, store=False)
    assert (model.customers, model.repeat_customers, model.transactions) == (1, 1, 3)
    assert (
        session.scalar(select(func.count()).select_from(ClvModel)) == 0
    )  # store=False wrote nothing


def test_too_few_repeat_customers_falls_back_to_the_heuristic(session, clock):
    rng = np.random.default_rng(3)
    _world(session, rng, 30, clock)
    model = fit_from_orders(session, clock.today(), tz=clock.tz)
    session.commit()
    assert model.method == "heuristic"
    assert f"at least {MIN_REPEAT_CUSTOMERS}" in model.note
    results = clv_for_customers(session, clock.today(), tz=clock.tz)
    assert results and all(r.method == "heuristic" for r in results)
    assert all(0 < r.probability_alive <= 1 and r.expected_purchases_90d >= 0 for r in results)
    # Silence lowers the heuristic's P(alive): the same customer, asked a year later.
    later = clv_for_customers(session, clock.today() + timedelta(days=365), tz=clock.tz)
    assert all(b.probability_alive < a.probability_alive for a, b in zip(results, later))
