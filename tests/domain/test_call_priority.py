"""Who should I call today: ranking, reasons, offers, products, best time, filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.call_priority import call_priority, scoring
from domain.call_priority.details import stated_window
from domain.errors import DomainError
from domain.stats import refresh_stats
from tests.factories import (
    DHAKA,
    make_behavior,
    make_customer,
    make_dropoff,
    make_family,
    make_interaction,
    make_order,
    make_product,
    make_user,
)

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def world(session):
    """Five reasons to call, one each, plus two customers who must never appear."""
    rina = make_user(session, "Rina Akter")
    kettle = make_product(session, "Blue Kettle", price=4500, category="Kitchen")
    toaster = make_product(session, "Red Toaster", price=3000, category="Kitchen")
    pot = make_product(session, "Steel Pot", price=2000, category="Kitchen")
    pan = make_product(session, "Green Pan", price=1500, category="Kitchen")
    make_product(session, "Desk Lamp", price=900, category="Home")

    follow = make_customer(session, "Farid Follow", assigned_to=rina, phone="01712345678")
    make_interaction(session, follow, at=date(2026, 11, 13), outcome="callback", follow_up_at=TODAY)
    hot = make_customer(session, "Hasan Hot", temperature="hot", assigned_to=rina)
    make_order(session, hot, at=days_ago(5), amount=900)
    family = make_customer(session, "Rahim Uddin", lifecycle_stage="prospect")
    make_family(
        session, family, "Sarah Uddin", "spouse", gender="female", date_of_birth=date(1990, 11, 21)
    )
    cart = make_customer(session, "Dina Dropoff")
    make_order(session, cart, at=days_ago(20), amount=1500, items=[pan])
    make_dropoff(
        session, cart, at=days_ago(2), stage="add_to_cart", cart_value=5500, product=kettle
    )
    make_behavior(session, cart, at=days_ago(1), product=toaster, count=2)
    risky = make_customer(session, "Arif Atrisk")
    for k in range(8):
        make_order(session, risky, at=days_ago(134 + 30 * k), amount=1500)
    erased = make_customer(session, "Erased Person", status="erased", temperature="hot")
    make_interaction(session, erased, at=days_ago(3), follow_up_at=TODAY)
    inactive = make_customer(session, "Inactive Person", status="inactive", temperature="hot")
    make_interaction(session, inactive, at=days_ago(3), follow_up_at=TODAY)
    refresh_stats(session)
    session.commit()
    return {
        "rina": rina,
        "follow": follow,
        "hot": hot,
        "family": family,
        "cart": cart,
        "risky": risky,
        "kettle": kettle,
        "toaster": toaster,
        "pot": pot,
        "pan": pan,
    }


def test_ranking_follows_the_order_of_importance(session, world):
    entries = call_priority(session, TODAY, limit=10, now=NOW)

    names = [e.name for e in entries]
    assert names == ["Farid Follow", "Rahim Uddin", "Hasan Hot", "Arif Atrisk", "Dina Dropoff"]
    assert [e.rank for e in entries] == [1, 2, 3, 4, 5]
    # points by hand: follow-up due today 50; family birthday tomorrow 23 - 0.5; hot 15; At Risk
    # with M=5 (8 x 1,500 = 12,000): 12; cart 2 days old 14 x 0.85 x (0.5 + 0.5 x 5,500 / 10,000);
    # score = 1 + 9 x (1 - exp(-points / 45))
    assert [e.points for e in entries] == [50.0, 22.5, 15.0, 12.0, 9.2]
    assert [e.score for e in entries] == [7.0, 4.5, 3.6, 3.1, 2.7]
    assert all(1 <= e.score <= 10 for e in entries)


def test_each_entry_explains_itself(session, world):
    by_name = {e.name: e for e in call_priority(session, TODAY, now=NOW)}

    follow = by_name["Farid Follow"]
    assert follow.reasons == ["follow-up due today (set 2026-11-13)"]
    assert [(f.name, f.points) for f in follow.factors] == [("follow_up", 50.0)]
    assert follow.follow_up.set_at.astimezone(DHAKA).date() == date(2026, 11, 13)
    assert follow.phone == "+8801712345678"
    assert (follow.assigned_to_id, follow.assigned_to_name) == (world["rina"].id, "Rina Akter")
    assert follow.next_action.startswith("Call Farid")
    assert "follow up on the call of 2026-11-13" in follow.next_action

    family = by_name["Rahim Uddin"]
    assert family.reasons == ["wife Sarah's birthday tomorrow (turns 36)"]
    assert family.offer_type == "birthday_offer"
    assert [(e.whose, e.kind, e.days_until) for e in family.events] == [
        ("spouse Sarah Uddin", "birthday", 1)
    ]

    cart = by_name["Dina Dropoff"]
    assert cart.reasons == ["cart of BDT 5,500 (Blue Kettle) abandoned 2 days ago"]
    assert cart.offer_type == "cart_recovery"
    # behaviour first (the open cart weighs 3, two views 2), then the unbought item of the category
    assert [(p.name, p.source) for p in cart.recommended_products] == [
        ("Blue Kettle", "behaviour"),
        ("Red Toaster", "behaviour"),
        ("Steel Pot", "purchase_history"),
    ]
    assert "Green Pan" not in [p.name for p in cart.recommended_products]  # already bought

    risky = by_name["Arif Atrisk"]
    assert risky.reasons == ["At Risk (RFM 245): BDT 12,000 over 8 orders, last order 134 days ago"]
    assert risky.offer_type == "reactivation"
    assert risky.rfm == (2, 4, 5)

    hot = by_name["Hasan Hot"]
    assert hot.reasons == ["hot customer"] and hot.offer_type == "cross_sell"


def test_erased_and_inactive_customers_never_appear(session, world):
    names = {e.name for e in call_priority(session, TODAY, limit=500)}
    assert not names & {"Erased Person", "Inactive Person"}
    assert len(names) == 5


def test_filters(session, world):
    assert [e.name for e in call_priority(session, TODAY, temperature="hot")] == ["Hasan Hot"]
    assert [e.name for e in call_priority(session, TODAY, lifecycle_stage="prospect")] == [
        "Rahim Uddin"
    ]
    mine = call_priority(session, TODAY, assigned_to_id=world["rina"].id)
    assert [e.name for e in mine] == ["Farid Follow", "Hasan Hot"]
    assert [e.name for e in call_priority(session, TODAY, limit=2)] == [
        "Farid Follow",
        "Rahim Uddin",
    ]
    assert call_priority(session, TODAY, assigned_to_id=world["rina"].id + 999) == []


def test_overdue_follow_up_still_outranks_a_hot_customer_with_a_cart(session):
    late = make_customer(session, "Late Follow")
    make_interaction(session, late, at=days_ago(20), follow_up_at=days_ago(10))
    busy = make_customer(session, "Busy Hot", temperature="hot")
    make_dropoff(session, busy, at=TODAY, cart_value=20000)
    refresh_stats(session)

    entries = call_priority(session, TODAY)
    assert [e.name for e in entries] == ["Late Follow", "Busy Hot"]
    assert entries[0].reasons == ["follow-up overdue by 10 days (set 2026-10-31, due 2026-11-10)"]
    assert entries[1].points == 15 + 14  # hot, and a fresh cart worth twice the top threshold


def test_ties_break_by_lifetime_value_then_id(session):
    low = make_customer(session, "Low Value", temperature="hot")
    high = make_customer(session, "High Value", temperature="hot")
    also_low = make_customer(session, "Also Low", temperature="hot")
    make_order(session, low, at=days_ago(3), amount=100)
    make_order(session, high, at=days_ago(3), amount=900)
    make_order(session, also_low, at=days_ago(3), amount=100)
    refresh_stats(session)

    assert [e.customer_id for e in call_priority(session, TODAY)] == [high.id, low.id, also_low.id]


def test_best_call_time_is_learned_then_stated_then_default(session):
    learned = make_customer(session, "Learned", temperature="hot", best_time_to_contact="morning")
    for day, hour in ((3, 18), (10, 18), (17, 18), (24, 11)):
        make_interaction(
            session,
            learned,
            at=datetime.combine(days_ago(day), datetime.min.time()).replace(hour=hour, minute=15),
            outcome="interested",
        )
    make_interaction(session, learned, at=datetime(2026, 11, 1, 9, 0), outcome="no_answer")
    make_interaction(session, learned, at=datetime(2026, 11, 2, 9, 0), outcome="no_answer")
    stated = make_customer(session, "Stated", temperature="hot", best_time_to_contact="evening")
    make_interaction(
        session, stated, at=datetime(2026, 11, 2, 9, 0), outcome="purchased"
    )  # one is not a habit
    make_customer(session, "Default", temperature="hot")
    abroad = make_customer(session, "Abroad", temperature="hot", timezone="Asia/Kolkata")
    for day in (2, 9):  # 18:40 in Dhaka is 18:10 in Kolkata
        make_interaction(
            session,
            abroad,
            at=datetime.combine(days_ago(day), datetime.min.time()).replace(hour=18, minute=40),
            outcome="callback",
        )
    refresh_stats(session)

    times = {e.name: e.best_call_time for e in call_priority(session, TODAY, now=NOW)}
    assert (times["Learned"].window, times["Learned"].source) == ("18:00-19:00", "learned")
    assert times["Learned"].detail == "3 of 4 successful contacts were between 18:00 and 19:00"
    assert (times["Stated"].window, times["Stated"].source) == ("17:00-20:00", "stated")
    assert (times["Default"].window, times["Default"].source) == ("11:00-13:00", "default")
    assert (times["Abroad"].window, times["Abroad"].timezone) == ("18:00-19:00", "Asia/Kolkata")


def test_next_action_says_tomorrow_when_the_window_has_passed(session):
    make_customer(session, "Early Bird", temperature="hot", best_time_to_contact="09:00-10:00")
    refresh_stats(session)
    assert "09:00-10:00 tomorrow" in call_priority(session, TODAY, now=NOW)[0].next_action
    early = datetime(2026, 11, 20, 8, 0, tzinfo=DHAKA)
    assert "tomorrow" not in call_priority(session, TODAY, now=early)[0].next_action


def test_empty_database_gives_an_empty_list(session):
    assert call_priority(session, TODAY) == []


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"temperature": "boiling"}, "temperature"),
        ({"lifecycle_stage": "sleeping"}, "lifecycle_stage"),
    ],
)
def test_bad_arguments_are_refused(session, kwargs, field):
    with pytest.raises(DomainError) as error:
        call_priority(session, TODAY, **kwargs)
    assert error.value.field == field


def test_stated_windows():
    assert stated_window("18:00-20:00") == "18:00-20:00"
    assert stated_window("6-8") == "06:00-08:00"
    assert stated_window("Evening after work") == "17:00-20:00"
    assert stated_window("whenever") is None
    assert stated_window(None) is None


# ------------------------------------------------------------------ properties of the scoring rules
points = st.floats(0, 200, allow_nan=False)


@given(a=points, b=points)
def test_score_is_in_range_and_monotone(a, b):
    sa, sb = scoring.score_from_points(np.array([a, b]))
    assert 1 <= sa <= 10 and 1 <= sb <= 10
    if a < b:
        assert sa <= sb


@given(
    value=st.floats(0, 1e6),
    more=st.floats(0, 1e6),
    days=st.integers(0, 200),
    later=st.integers(0, 200),
)
def test_dropoff_points_grow_with_value_and_fade_with_age(value, more, days, later):
    def pts(v, d):
        return scoring.dropoff_points(
            np.array([1.0]), np.array([v]), np.array([float(d)]), 10000.0
        )[0]

    assert 0 <= pts(value, days) <= scoring.DROPOFF_MAX
    assert pts(value + more, days) >= pts(value, days)
    assert pts(value, days + later) <= pts(value, days)


@given(
    days=st.integers(0, scoring.EVENT_WINDOW_DAYS), family=st.booleans(), extra=st.integers(0, 5)
)
def test_any_follow_up_due_beats_any_event_and_an_event_beats_temperature(days, family, extra):
    event = scoring.event_points(
        np.array([float(days)]), np.array([family]), np.array([float(extra)])
    )[0]
    # due or overdue within the lapse window: the strongest reason; lapsed beyond it: a weak one
    overdue = scoring.follow_up_points(np.array([0.0, 1.0, float(scoring.DEFAULT_LAPSE_DAYS)]))
    assert overdue.min() > event >= scoring.EVENT_POINTS[-1] - scoring.FAMILY_EVENT_PENALTY
    assert event > max(scoring.TEMPERATURE_POINTS.values())
    lapsed = scoring.lapsed_points(np.array([scoring.DEFAULT_LAPSE_DAYS + 1.0, 400.0]))
    assert scoring.follow_up_points(np.array([400.0]))[0] == 0
    assert 0 < lapsed.max() < event


@given(days=st.integers(0, 3000), orders=st.integers(0, 50), spent=st.floats(0, 1e6))
def test_rfm_arrays_match_the_scalar_rules(days, orders, spent):
    from domain.rfm import frequency_score, monetary_score, recency_score, segment_for

    r, f, m = (
        int(x[0])
        for x in scoring.rfm_arrays(np.array([days]), np.array([orders]), np.array([spent]))
    )
    if orders == 0:
        assert (r, f, m) == (0, 0, 0)
        return
    assert (r, f, m) == (recency_score(days), frequency_score(orders), monetary_score(spent))
    at_risk = scoring.at_risk_points(np.array([r]), np.array([f]), np.array([m]))[0] > 0
    assert at_risk == (segment_for(r, f, m).value == "At Risk")
