"""customer_stats aggregates and the derived temperature / lifecycle / type, on small worlds."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from domain.days import days_since, days_since_array
from domain.follow_ups import replay_follow_ups
from domain.metrics import scores_for_customer
from domain.models import BehaviorEvent, Customer, CustomerStats, Dropoff, Interaction, Order
from domain.stats import refresh_derived, refresh_stats

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = date(2026, 11, 20)


# ------------------------------------------------------- factory helpers (other tests import them)
def at(days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    """An aware Dhaka moment ``days_ago`` calendar days before TODAY."""
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(),
                            tzinfo=DHAKA).replace(hour=hour, minute=minute)


def customer(session, name: str, **fields) -> int:
    row = Customer(name=name, created_at=at(400), **fields)
    session.add(row)
    session.flush()
    return row.id


def order(session, cid: int, days_ago: int, amount: float, status: str = "completed", **kw) -> None:
    session.add(Order(customer_id=cid, ordered_at=kw.pop("when", None) or at(days_ago),
                      total_amount=Decimal(str(amount)), status=status, **kw))


def interaction(session, cid: int, days_ago: int, outcome: str | None = None,
                direction: str = "outbound", **kw) -> None:
    session.add(Interaction(customer_id=cid, type="call", occurred_at=at(days_ago), outcome=outcome,
                            direction=direction, **kw))


def dropoff(session, cid: int, days_ago: int, value: float, recovered: bool = False) -> None:
    session.add(Dropoff(customer_id=cid, stage="add_to_cart", cart_value=Decimal(str(value)),
                        occurred_at=at(days_ago), recovered=recovered))


def behaviour(session, cid: int, days_ago: int, kind: str = "product_view", count: int = 1) -> None:
    session.add(BehaviorEvent(customer_id=cid, type=kind, count=count, occurred_at=at(days_ago)))


def stats_of(session, cid: int) -> CustomerStats:
    return session.scalars(select(CustomerStats).where(CustomerStats.customer_id == cid)).one()


# ------------------------------------------------------------------------------------------ tests
def test_refresh_stats_hand_computed(session):
    a = customer(session, "Rahim Uddin")
    b = customer(session, "Nobody Yet")
    order(session, a, 40, 1000)
    order(session, a, 10, 2500.50)
    order(session, a, 2, 9999, status="cancelled")  # only completed orders count
    order(session, a, 1, 700, status="pending")
    interaction(session, a, 30, "interested")
    interaction(session, a, 12, "no_answer", direction="inbound")
    # a callback due 4 days ago, answered that day by a contact that set the next one (due in
    # 5 days); a "not interested" after it is before that day and leaves it open
    interaction(session, a, 5, "callback", follow_up_at=at(4, 10))
    interaction(session, a, 4, "other", follow_up_at=at(-5, 10))
    interaction(session, a, 3, "not_interested")
    dropoff(session, a, 20, 500)
    dropoff(session, a, 8, 700.25)
    dropoff(session, a, 1, 9000, recovered=True)
    replay_follow_ups(session, [a], DHAKA)
    refresh_stats(session)

    s = stats_of(session, a)
    assert (s.order_count, s.total_spent) == (2, Decimal("3500.50"))
    assert (s.first_order_at, s.last_order_at) == (at(40), at(10))
    assert (s.interaction_count, s.last_interaction_at) == (5, at(3))
    assert s.last_inbound_at == at(12)
    assert s.last_positive_at == at(30)  # interested; the later outcomes are not positive
    assert s.next_follow_up_at == at(-5, 10)  # the answered one (sooner) does not count
    assert (s.last_not_interested_at, s.last_complaint_at) == (at(3), None)
    assert (s.open_dropoff_count, s.open_dropoff_value, s.last_dropoff_at) == (
        2, Decimal("1200.25"), at(8))
    empty = stats_of(session, b)  # missing rows are inserted, with zeros
    assert (empty.order_count, empty.total_spent, empty.interaction_count) == (0, 0, 0)
    assert empty.last_order_at is None and empty.next_follow_up_at is None


def test_refresh_stats_for_some_customers_leaves_the_others(session):
    a, b = customer(session, "A"), customer(session, "B")
    order(session, a, 5, 100)
    order(session, b, 5, 100)
    refresh_stats(session)
    loaded = stats_of(session, a)  # a copy in the identity map: refresh must expire it
    order(session, a, 1, 50)
    order(session, b, 1, 50)
    refresh_stats(session, (cid for cid in [a]))  # any iterable of ids
    assert (loaded.order_count, loaded.total_spent, loaded.last_order_at) == (
        2, Decimal(150), at(1))
    assert stats_of(session, b).order_count == 1
    c = customer(session, "C")
    order(session, c, 3, 10)
    refresh_stats(session, [c])  # upsert: the row did not exist
    assert stats_of(session, c).order_count == 1
    refresh_stats(session, [])  # nothing to do
    assert stats_of(session, b).order_count == 1


def test_stats_follow_order_status_and_recovery_changes(session):
    a = customer(session, "A")
    order(session, a, 5, 100)
    dropoff(session, a, 2, 300)
    refresh_stats(session, [a])
    session.execute(Order.__table__.update().values(status="refunded"))
    session.execute(Dropoff.__table__.update().values(recovered=True))
    refresh_stats(session, [a])
    s = stats_of(session, a)
    assert (s.order_count, s.total_spent, s.last_order_at) == (0, 0, None)
    assert (s.open_dropoff_count, s.open_dropoff_value, s.last_dropoff_at) == (0, 0, None)


def _derived(session, cid):
    row = session.get(Customer, cid)
    return row.temperature, row.lifecycle_stage, row.customer_type


def test_refresh_derived_hand_computed(session):
    ids = {}

    def new(key, **fields):
        ids[key] = customer(session, key, **fields)
        return ids[key]

    order(session, new("bought_5_days_ago"), 5, 800)
    # 00:30 in Dhaka on the 14th day back is still the previous evening in UTC: local dates count
    order(session, new("bought_14_days_ago"), 0, 800, when=at(14, 0, 30))
    order(session, new("bought_15_days_ago"), 15, 800)
    behaviour(session, new("cart_3_days_ago"), 3, "add_to_cart")
    behaviour(session, new("five_views"), 2, count=5)
    behaviour(session, new("four_views"), 2, count=4)
    behaviour(session, new("views_20_days_ago"), 20, count=9)
    for key, days_ago, amount in (
        ("two_orders_60_days", (60, 75), 900),
        ("five_orders", (20, 40, 60, 80, 100), 300),
        ("five_orders_lapsing", (100, 200, 300, 400, 500), 300),
        ("stopped_200_days", (200, 250, 300), 900),
        ("vip", (10, 40), 30000),
    ):
        cid = new(key)
        for days in days_ago:
            order(session, cid, days, amount)
    interaction(session, new("no_answer_100_days"), 100, "no_answer")
    interaction(session, new("interested_30_days"), 30, "interested")
    interaction(session, new("inbound_20_days"), 20, "other", direction="inbound")
    dropoff(session, new("dropoff_6_days"), 6, 2000)
    dropoff(session, new("dropoff_25_days"), 25, 2000)
    dropoff(session, new("recovered_dropoff"), 3, 2000, recovered=True)
    new("lead")
    new("locked", lifecycle_stage="loyal", lifecycle_locked=True)
    order(session, new("erased", status="erased"), 1, 900)
    refresh_stats(session)
    changes = refresh_derived(session, TODAY, tz=DHAKA)

    expected = {
        "bought_5_days_ago": ("hot", "first_buyer", "new"),
        "bought_14_days_ago": ("hot", "first_buyer", "new"),
        "bought_15_days_ago": ("warm", "first_buyer", "new"),
        "cart_3_days_ago": ("hot", "prospect", "new"),
        "five_views": ("hot", "prospect", "new"),
        "four_views": ("warm", "prospect", "new"),
        "views_20_days_ago": ("warm", "prospect", "new"),
        "two_orders_60_days": ("warm", "repeat_buyer", "repeat"),
        "five_orders": ("warm", "loyal", "repeat"),
        "five_orders_lapsing": ("cold", "repeat_buyer", "repeat"),
        "stopped_200_days": ("cold", "inactive", "inactive"),
        "vip": ("hot", "repeat_buyer", "vip"),
        "no_answer_100_days": ("cold", "prospect", "new"),
        "interested_30_days": ("warm", "prospect", "new"),
        "inbound_20_days": ("warm", "prospect", "new"),
        "dropoff_6_days": ("hot", "prospect", "new"),
        "dropoff_25_days": ("warm", "prospect", "new"),
        "recovered_dropoff": ("cold", "lead", "new"),
        "lead": ("cold", "lead", "new"),
        "locked": ("cold", "loyal", "new"),  # locked by hand: the rules leave the stage
        "erased": ("cold", "lead", "new"),  # erased customers are left alone
    }
    assert {key: _derived(session, cid) for key, cid in ids.items()} == expected
    assert changes[ids["vip"]] == {
        "temperature": ("cold", "hot"), "lifecycle_stage": ("lead", "repeat_buyer"),
        "customer_type": ("new", "vip"),
    }
    assert changes[ids["four_views"]] == {"temperature": ("cold", "warm"),
                                          "lifecycle_stage": ("lead", "prospect")}
    for unchanged in ("lead", "locked", "erased", "recovered_dropoff"):
        assert ids[unchanged] not in changes
    assert refresh_derived(session, TODAY, tz=DHAKA) == {}  # nothing moved since

    # time passes: ten days later the 5-day buyer has cooled down, computed for that customer only
    later = refresh_derived(session, TODAY + timedelta(days=10), [ids["bought_5_days_ago"]],
                            tz=DHAKA)
    assert later == {ids["bought_5_days_ago"]: {"temperature": ("hot", "warm")}}


def test_bulk_rules_agree_with_the_one_customer_path(session):
    """refresh_derived (SQL + numpy over everybody) and scores_for_customer (one customer, scalar
    rules) must tell the same story for every customer of a random world."""
    rng = random.Random(20261120)
    ids = [customer(session, f"C{k}") for k in range(40)]
    for cid in ids:
        for _ in range(rng.choice([0, 0, 1, 2, 4, 6])):
            order(session, cid, rng.randint(0, 400), rng.choice([200, 900, 3000, 26000]),
                  status=rng.choice(["completed", "completed", "cancelled"]))
        for _ in range(rng.randint(0, 3)):
            interaction(session, cid, rng.randint(0, 200),
                        rng.choice([None, "interested", "no_answer", "resolved", "complaint"]),
                        direction=rng.choice(["inbound", "outbound"]))
        for _ in range(rng.randint(0, 2)):
            behaviour(session, cid, rng.randint(0, 40),
                      rng.choice(["product_view", "add_to_cart", "search"]), rng.randint(1, 6))
        if rng.random() < 0.3:
            dropoff(session, cid, rng.randint(0, 60), 1000, recovered=rng.random() < 0.3)
    refresh_stats(session)
    refresh_derived(session, TODAY, tz=DHAKA)
    for cid in ids:
        scores = scores_for_customer(session, cid, TODAY, tz=DHAKA)
        assert _derived(session, cid) == (
            scores.temperature, scores.lifecycle_stage, scores.customer_type), cid


def test_days_since_array_counts_local_calendar_days():
    zone = ZoneInfo("America/New_York")  # crosses a DST change within the range below
    today = date(2026, 11, 20)
    moments = [datetime(2026, 11, 20, 0, 5, tzinfo=zone),
               datetime(2026, 11, 19, 23, 55, tzinfo=zone), datetime(2026, 10, 31, 12, tzinfo=zone),
               datetime(2026, 3, 8, 1, 30, tzinfo=zone),
               datetime(2016, 1, 1, tzinfo=zone)]
    epochs = np.array([m.timestamp() for m in moments] + [-1.0e18])
    got = days_since_array(epochs, today, zone)
    assert list(got[:4]) == [days_since(m, today, zone) for m in moments[:4]] == [0, 1, 20, 257]
    assert got[4] > 3650 and np.isnan(got[5])
