"""Saved segments: criteria validated with the field named, membership set-based against a hand-computed
world, recomputed inside writes (orders, tags) and by the daily refresh, names never an RFM segment's."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.errors import Conflict, DomainError, NotFound
from domain.models import Customer, Segment, segment_members
from domain.orders import record_order
from domain.segments import (
    create_segment,
    delete_segment,
    list_segments,
    refresh_members,
    segment_members_of,
    validate_criteria,
)
from domain.stats import refresh_derived, refresh_stats
from tests.factories import make_customer, make_order, when

TODAY = date(2026, 11, 20)
TZ = "Asia/Dhaka"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def world(sessions):
    """Hand-scored (fixed bands, BDT 5000/2500/1000/500):
    rahim  Dhaka, eid-shopper; 10 orders x 600 = 6000, last 5 days ago    -> R5 F5 M5 Champions
    karim  Chattogram; 8 orders x 500 = 4000, last 200 days ago           -> R1 F4 M4 At Risk
    salma  " dhaka ", eid-shopper; 1 order 1200, 40 days ago              -> R4 F1 M3 New Customers
    nila   Dhaka, eid-shopper; no order                                    -> no RFM segment, ltv 0
    gone   Dhaka, eid-shopper, 1 order 9000 yesterday, erased               -> never a member
    """
    with sessions.begin() as s:
        rahim = make_customer(s, "Rahim Uddin", city="Dhaka", tags=["eid-shopper"])
        for i in range(10):
            make_order(s, rahim, at=days_ago(5 + i), amount=600)
        karim = make_customer(s, "Karim Traders", city="Chattogram")
        for i in range(8):
            make_order(s, karim, at=days_ago(200 + i), amount=500)
        salma = make_customer(s, "Salma Begum", city=" dhaka ", tags=["eid-shopper"])
        make_order(s, salma, at=days_ago(40), amount=1200)
        nila = make_customer(s, "Nila Akter", city="Dhaka", tags=["eid-shopper"])
        gone = make_customer(s, "Erased Person", city="Dhaka", tags=["eid-shopper"], status="erased")
        make_order(s, gone, at=days_ago(1), amount=9000)
        refresh_stats(s)
        refresh_derived(s, TODAY, tz=TZ)
        return {"rahim": rahim.id, "karim": karim.id, "salma": salma.id, "nila": nila.id, "gone": gone.id}


def make(sessions, name, criteria, today=TODAY):
    with sessions.begin() as s:
        return create_segment(s, name, criteria, today, tz=TZ)


def members(sessions, name) -> set[int]:
    with sessions() as s:
        seg = s.scalar(select(Segment).where(Segment.name == name))
        return set(s.scalars(select(segment_members.c.customer_id).where(segment_members.c.segment_id == seg.id)))


@pytest.mark.parametrize("criteria, expected", [
    ({"city": ["Dhaka"], "tag": ["Eid Shopper"]}, {"rahim", "salma", "nila"}),
    ({"rfm_segment": ["at risk"]}, {"karim"}),
    ({"rfm_segment": ["Champions", "New Customers"]}, {"rahim", "salma"}),
    ({"last_order_days_max": 30}, {"rahim"}),
    ({"last_order_days_max": 40}, {"rahim", "salma"}),
    ({"last_order_days_min": 40}, {"salma", "karim"}),
    ({"last_order_days_min": 41}, {"karim"}),
    ({"last_order_days_min": 5, "last_order_days_max": 5}, {"rahim"}),
    ({"ltv_min": 4000, "ltv_max": 6000}, {"rahim", "karim"}),
    ({"ltv_max": 0}, {"nila"}),
    ({"city": "chattogram", "ltv_min": 4000.5}, set()),
])
def test_membership_matches_the_hand_computed_world(sessions, world, criteria, expected):
    info = make(sessions, "Target", criteria)
    assert members(sessions, "Target") == {world[k] for k in expected}
    assert info.members == len(expected)


def test_temperature_and_lifecycle_read_the_stored_columns(sessions, world):
    with sessions() as s:
        stage = s.get(Customer, world["rahim"]).lifecycle_stage
        temp = s.get(Customer, world["nila"]).temperature
        expected_stage = set(s.scalars(select(Customer.id).where(Customer.lifecycle_stage == stage,
                                                                 Customer.status != "erased")))
        expected_temp = set(s.scalars(select(Customer.id).where(Customer.temperature == temp,
                                                                Customer.status != "erased")))
    make(sessions, "Stage", {"lifecycle_stage": [stage.replace("_", " ")]})
    make(sessions, "Temp", {"temperature": [temp.upper()]})
    assert members(sessions, "Stage") == expected_stage and world["rahim"] in expected_stage
    assert members(sessions, "Temp") == expected_temp and world["nila"] in expected_temp


def test_an_order_moves_a_customer_in_within_the_write(sessions, world):
    make(sessions, "Recent buyers", {"last_order_days_max": 7})
    assert members(sessions, "Recent buyers") == {world["rahim"]}
    with sessions.begin() as s:
        record_order(s, world["nila"], ordered_at=when(days_ago(1)), amount=700, today=TODAY)
    assert members(sessions, "Recent buyers") == {world["rahim"], world["nila"]}


def test_the_daily_refresh_moves_everybody_as_days_pass(sessions, world):
    make(sessions, "Recent buyers", {"last_order_days_max": 30})
    make(sessions, "Lapsed", {"rfm_segment": "Lost"})
    assert members(sessions, "Recent buyers") == {world["rahim"]} and members(sessions, "Lapsed") == set()
    later = TODAY + timedelta(days=300)
    with sessions.begin() as s:
        refresh_derived(s, later, tz=TZ)  # the daily refresh: no ids, everybody
    assert members(sessions, "Recent buyers") == set()
    # 300 days on: every buyer has R=1; karim (F4 M4) is still At Risk, salma (F1 M3) is Lost,
    # rahim (F5 M5) is At Risk
    assert members(sessions, "Lapsed") == {world["salma"]}


def test_a_stale_member_is_removed_and_a_missing_one_added_by_one_refresh(sessions, world):
    make(sessions, "Dhaka", {"city": "Dhaka"})
    seg_id = list_segments_by_name(sessions)["Dhaka"]
    with sessions.begin() as s:
        s.execute(segment_members.delete().where(segment_members.c.customer_id == world["rahim"]))
        s.execute(segment_members.insert().values(segment_id=seg_id, customer_id=world["karim"]))
    with sessions.begin() as s:
        assert refresh_members(s, TODAY, None, tz=TZ) == 2
        assert refresh_members(s, TODAY, None, tz=TZ) == 0
    assert members(sessions, "Dhaka") == {world["rahim"], world["salma"], world["nila"]}


def list_segments_by_name(sessions) -> dict[str, int]:
    with sessions() as s:
        return {i.name: i.id for i in list_segments(s)}


def test_members_read_lists_by_lifetime_value_and_pages(sessions, world):
    make(sessions, "Dhaka eid", {"city": ["dhaka"], "tag": ["eid-shopper"]})
    with sessions() as s:
        info, rows = segment_members_of(s, "DHAKA EID", TODAY, tz=TZ)
        assert info.members == 3
        assert [r.customer_id for r in rows] == [world["rahim"], world["salma"], world["nila"]]
        assert (rows[0].ltv, rows[0].order_count, rows[0].days_since_last_order) == (6000.0, 10, 5)
        assert rows[2].days_since_last_order is None and rows[2].tags == ["eid-shopper"]
        _, page = segment_members_of(s, "Dhaka eid", TODAY, limit=1, offset=1, tz=TZ)
        assert [r.customer_id for r in page] == [world["salma"]]


def test_names_are_unique_and_never_an_rfm_segment(sessions, world):
    make(sessions, "Eid list", {"tag": "eid-shopper"})
    with sessions.begin() as s, pytest.raises(Conflict) as exc:
        create_segment(s, "eid  LIST", {"tag": "x"}, TODAY, tz=TZ)
    assert exc.value.field == "name"
    for rfm in ("At Risk", "at_risk", "champions"):
        with sessions.begin() as s, pytest.raises(DomainError) as exc:
            create_segment(s, rfm, {"tag": "x"}, TODAY, tz=TZ)
        assert exc.value.field == "name" and "RFM segment" in exc.value.message
    with sessions() as s, pytest.raises(NotFound) as exc:
        segment_members_of(s, "At Risk", TODAY, tz=TZ)
    assert "rfm_segment" in exc.value.message and "Eid list" in exc.value.message


def test_delete_takes_the_members_with_it(sessions, world):
    make(sessions, "Dhaka", {"city": "Dhaka"})
    with sessions.begin() as s:
        info = delete_segment(s, "dhaka")
    assert info.members == 3
    with sessions() as s:
        assert s.scalar(select(segment_members.c.segment_id).limit(1)) is None
        assert list_segments(s) == []


@pytest.mark.parametrize("criteria, field", [
    ([], "criteria"),
    ({}, "criteria"),
    ({"colour": "red"}, "criteria.colour"),
    ({"temperature": ["tepid"]}, "criteria.temperature"),
    ({"lifecycle_stage": "champion"}, "criteria.lifecycle_stage"),
    ({"rfm_segment": ["Whales"]}, "criteria.rfm_segment"),
    ({"tag": ["x" * 51]}, "criteria.tag"),
    ({"tag": []}, "criteria.tag"),
    ({"city": [3]}, "criteria.city"),
    ({"last_order_days_max": 2.5}, "criteria.last_order_days_max"),
    ({"last_order_days_min": -1}, "criteria.last_order_days_min"),
    ({"last_order_days_min": 60, "last_order_days_max": 30}, "criteria.last_order_days_min"),
    ({"ltv_min": "lots"}, "criteria.ltv_min"),
    ({"ltv_min": True}, "criteria.ltv_min"),
    ({"ltv_min": 10, "ltv_max": 5}, "criteria.ltv_min"),
])
def test_bad_criteria_name_the_field_and_write_nothing(sessions, world, criteria, field):
    with pytest.raises(DomainError) as exc:
        validate_criteria(criteria)
    assert exc.value.field == field, exc.value.message
    with sessions.begin() as s, pytest.raises(DomainError):
        create_segment(s, "Bad", criteria, TODAY, tz=TZ)
    with sessions() as s:
        assert list_segments(s) == []


def test_criteria_are_stored_normalised():
    assert validate_criteria({"temperature": "Hot", "lifecycle_stage": ["Repeat Buyer"], "rfm_segment": "at_risk",
                              "tag": ["#Eid Shopper", "eid-shopper"], "ltv_min": 100}) == {
        "rfm_segment": ["At Risk"], "temperature": ["hot"], "lifecycle_stage": ["repeat_buyer"],
        "tag": ["eid-shopper"], "ltv_min": 100.0}
