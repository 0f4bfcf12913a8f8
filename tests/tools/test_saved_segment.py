"""saved_segment (read) and the tag write that moves a customer into a saved segment in its transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.models import Segment, segment_members
from domain.segments import create_segment
from domain.stats import refresh_derived, refresh_stats
from tests.factories import make_customer, make_order, make_user
from tests.tools.conftest import call

TODAY = "2026-11-20"


@pytest.fixture
def world(build, clock):
    def fn(s):
        karim = make_user(s, "Karim Hasan")
        rahim = make_customer(s, "Rahim Uddin", city="Dhaka", phone="01712345678", email="rahim@example.com",
                              tags=["eid-shopper"])
        make_order(s, rahim, at=clock.today(), amount=3000)
        other = make_customer(s, "Karim Ahmed", city="Dhaka", phone="01812345678", assigned_to=karim,
                              tags=["eid-shopper"])
        make_order(s, other, at=clock.today(), amount=7000)
        salma = make_customer(s, "Salma Begum", city="Dhaka")
        refresh_stats(s)
        refresh_derived(s, clock.today(), tz="Asia/Dhaka")
        create_segment(s, "Dhaka Eid", {"city": "Dhaka", "tag": "eid-shopper"}, clock.today(), tz="Asia/Dhaka")
        return {"rahim": rahim.id, "other": other.id, "salma": salma.id}
    return build(fn)


def member_ids(sessions) -> set[int]:
    with sessions() as s:
        seg = s.scalar(select(Segment.id).where(Segment.name == "Dhaka Eid"))
        return set(s.scalars(select(segment_members.c.customer_id).where(segment_members.c.segment_id == seg)))


def test_lists_the_saved_segments(make_ctx, world):
    result = call("saved_segment", {}, make_ctx())
    assert result.ok and result.total == 1
    [seg] = result.segments
    assert (seg.name, seg.members, seg.criteria) == ("Dhaka Eid", 2, {"city": ["Dhaka"], "tag": ["eid-shopper"]})
    assert "Dhaka Eid: 2 members (city Dhaka; tag eid-shopper)" in result.text


def test_members_highest_value_first_with_contact_as_the_user_may_see_it(make_ctx, world):
    result = call("saved_segment", {"name": "dhaka eid"}, make_ctx(agents_see_all_customers=False))
    assert result.ok and result.total == 2
    assert [m.customer_id for m in result.members] == [world["other"], world["rahim"]]
    other, rahim = result.members
    assert rahim.phone == "+8801712345678" and rahim.email == "rahim@example.com"
    assert other.phone != "+8801812345678" and other.phone.endswith("678")  # Karim's customer: masked
    assert (other.ltv, other.order_count, other.days_since_last_order) == (7000.0, 1, 0)


def test_an_rfm_segment_name_is_not_a_saved_segment(make_ctx, world):
    result = call("saved_segment", {"name": "At Risk"}, make_ctx())
    assert not result.ok and result.error == "not_found" and "rfm_segment" in result.message
    assert "Dhaka Eid" in result.message


def test_tagging_moves_the_customer_in_and_out_in_the_same_write(make_ctx, sessions, world):
    assert member_ids(sessions) == {world["rahim"], world["other"]}
    assert call("tag_customer", {"customer": world["salma"], "add": ["Eid Shopper"]}, make_ctx()).ok
    assert member_ids(sessions) == {world["rahim"], world["other"], world["salma"]}
    assert call("tag_customer", {"customer": world["rahim"], "remove": ["eid-shopper"]}, make_ctx()).ok
    assert member_ids(sessions) == {world["other"], world["salma"]}


def test_a_refused_tag_write_leaves_membership_alone(make_ctx, sessions, world):
    result = call("tag_customer", {"customer": world["salma"], "add": ["eid-shopper", "x" * 51]}, make_ctx())
    assert not result.ok and member_ids(sessions) == {world["rahim"], world["other"]}
