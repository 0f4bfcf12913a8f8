"""dashboard: the counts and the team's week, by hand and against plain SQL, on both engines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.stats import refresh_derived, refresh_stats
from tests.factories import DHAKA, make_customer, make_dropoff, make_interaction, make_order, make_user
from tests.tools.conftest import call

TODAY = date(2026, 11, 20)


def ago(n: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=n), datetime.min.time(), tzinfo=DHAKA).replace(hour=hour)


@pytest.fixture
def world(build):
    def make(s):
        rina, sumi = make_user(s, "Rina Akter"), make_user(s, "Sumi Akter")
        a = make_customer(s, "Asha Buyer", assigned_to=rina)
        for k in range(3):
            make_order(s, a, at=ago(5 + 10 * k), amount=2000)
        make_interaction(s, a, at=ago(2), user=rina, outcome="interested")  # this week, a call
        make_interaction(s, a, at=ago(9), user=rina, type="whatsapp")  # last week: not counted
        b = make_customer(s, "Bilal Cart", assigned_to=sumi)
        make_order(s, b, at=ago(100), amount=500)
        make_interaction(s, b, at=ago(1), user=sumi, type="sms")
        make_interaction(s, b, at=ago(1), user=sumi, outcome="callback", follow_up_at=ago(-2))
        make_dropoff(s, b, at=ago(4), cart_value=5500, recovered=True, recovered_at=ago(1),
                     recovered_by_id=sumi.id)
        make_dropoff(s, b, at=ago(30), cart_value=900, recovered=True, recovered_at=ago(20),
                     recovered_by_id=sumi.id)  # before the week
        c = make_customer(s, "Chumki Overdue", assigned_to=rina)
        make_interaction(s, c, at=ago(10), user=rina, outcome="callback", follow_up_at=ago(3))
        d = make_customer(s, "Dolon Lapsed")
        make_interaction(s, d, at=ago(100), outcome="callback", follow_up_at=ago(90))
        make_customer(s, "Erased Person", status="erased")
        s.flush()
        refresh_stats(s)
        refresh_derived(s, TODAY, tz=DHAKA)
        return {"rina": rina.id, "sumi": sumi.id}
    return build(make)


def test_counts_and_the_teams_week_by_hand(make_ctx, world):
    r = call("dashboard", {}, make_ctx("Mina Manager", role="manager"))
    assert r.ok, r.text
    assert (r.since, r.until) == (date(2026, 11, 14), TODAY)
    assert r.customers == 4 and r.buyers == 2
    assert r.lifetime_value_total == 6500.0 and r.lifetime_value_average == 3250.0
    assert sum(r.by_temperature.values()) == sum(r.by_lifecycle.values()) == sum(r.by_type.values()) == 4
    team = {a.name: a for a in r.team}
    rina, sumi, nobody = team["Rina Akter"], team["Sumi Akter"], team["unassigned"]
    assert (rina.contacts_logged, rina.calls_logged) == (1, 1)
    assert (rina.follow_ups_due, rina.follow_ups_overdue) == (1, 1)  # Chumki's, 3 days overdue
    assert (sumi.contacts_logged, sumi.calls_logged) == (2, 1)
    assert (sumi.follow_ups_due, sumi.follow_ups_overdue) == (0, 0)  # Bilal's is due in 2 days
    assert (sumi.carts_recovered, sumi.value_recovered) == (1, 5500.0)
    assert nobody.follow_ups_lapsed == 1 and nobody.follow_ups_due == 0
    assert (r.totals.contacts_logged, r.totals.carts_recovered) == (3, 1)
    assert "4 customers" in r.text and "Sumi Akter: 2 contacts logged (1 calls)" in r.text
    assert "1 carts recovered (BDT 5,500)" in r.text


def test_a_longer_period_counts_more(make_ctx, world):
    r = call("dashboard", {"since": "2026-10-01"}, make_ctx())
    team = {a.name: a for a in r.team}
    assert team["Rina Akter"].contacts_logged == 3 and team["Sumi Akter"].carts_recovered == 2
    # due by the end of the period: the same open ones (a period ending today)
    assert team["Sumi Akter"].follow_ups_due == 0


def test_counts_match_plain_sql(make_ctx, world, sessions):
    r = call("dashboard", {}, make_ctx())
    with sessions() as s:
        sql = lambda q: dict(s.execute(text(q)).all())
        live = "status <> 'erased' AND erased_at IS NULL"
        for column, got in (("temperature", r.by_temperature), ("lifecycle_stage", r.by_lifecycle),
                            ("customer_type", r.by_type)):
            expected = sql(f"SELECT {column}, count(*) FROM customers WHERE {live} GROUP BY {column}")
            assert {k: v for k, v in got.items() if v} == expected
        total = s.execute(text(
            "SELECT coalesce(sum(o.total_amount), 0) FROM orders o JOIN customers c ON c.id = o.customer_id "
            f"WHERE o.status = 'completed' AND c.{live.replace(' AND ', ' AND c.')}")).scalar()
        assert float(total) == r.lifetime_value_total
        contacts = sql(
            "SELECT u.name, count(*) FROM interactions i JOIN users u ON u.id = i.user_id "
            "WHERE i.occurred_at >= :start GROUP BY u.name".replace(
                ":start", "'2026-11-13 18:00:00'" if s.bind.dialect.name == "sqlite"
                else "'2026-11-13 18:00:00+00'"))
        assert contacts == {a.name: a.contacts_logged for a in r.team if a.contacts_logged}
        open_ = s.execute(text("SELECT count(*) FROM follow_ups WHERE closed_at IS NULL")).scalar()
        assert open_ == r.totals.follow_ups_due + r.totals.follow_ups_lapsed + 1  # + Bilal's, not due yet


def test_bad_periods_are_clear_errors(make_ctx, world):
    assert call("dashboard", {"since": "2026-11-21", "until": "2026-11-20"}, make_ctx()).field == "since"
    assert call("dashboard", {"until": "2026-12-01"}, make_ctx()).field == "until"
