"""call_priority_list on small worlds: ranking with reasons, a family birthday, filters, redaction, refusals,
and a constant number of queries whatever the number of customers."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from domain.models import Customer, FamilyMember, Interaction, Order
from domain.stats import refresh_stats
from tests.factories import (
    CREATED,
    DHAKA,
    make_customer,
    make_family,
    make_interaction,
    make_order,
    make_product,
    make_user,
    when,
)
from tests.tools.conftest import call

TODAY = date(2026, 11, 20)


@pytest.fixture
def world(build):
    """Four active customers with one reason each (or none), and one who must never appear."""
    def make(s):
        rina, karim = make_user(s, "Rina Akter"), make_user(s, "Karim Agent")
        make_user(s, "Mona Manager", role="manager")
        kettle = make_product(s, "Blue Kettle", price=4500)
        farid = make_customer(s, "Farid Follow", phone="01712-000001", email="farid@example.com", assigned_to=rina)
        make_interaction(s, farid, at=date(2026, 11, 13), outcome="callback", follow_up_at=TODAY, subject="price list")
        rahim = make_customer(s, "Rahim Uddin", phone="01712-345678", assigned_to=karim, lifecycle_stage="prospect",
                              best_time_to_contact="18:00-19:00")
        make_family(s, rahim, "Sarah Uddin", "spouse", gender="female", date_of_birth=date(1990, 11, 21),
                    phone="01812-345678")
        hasan = make_customer(s, "Hasan Hot", temperature="hot", assigned_to=rina)
        make_order(s, hasan, at=TODAY - timedelta(days=5), amount=4500, items=[kettle])
        make_customer(s, "Carl Cold")
        gone = make_customer(s, "Erased Person", status="erased", temperature="hot")
        make_interaction(s, gone, at=date(2026, 11, 17), follow_up_at=TODAY)
        refresh_stats(s)
        return {"farid": farid.id, "rahim": rahim.id, "hasan": hasan.id}
    return build(make)


def test_ranked_list_with_reasons_offers_and_best_times(make_ctx, world):
    result = call("call_priority_list", {}, make_ctx("Rina Akter"))
    assert result.ok, result.text
    assert result.date == TODAY
    assert [e.name for e in result.entries] == ["Farid Follow", "Rahim Uddin", "Hasan Hot", "Carl Cold"]
    assert [e.rank for e in result.entries] == [1, 2, 3, 4]
    # points: follow-up due today 50; wife's birthday tomorrow 23 - 0.5 (family); hot 15; none 0.
    # score = 1 + 9 * (1 - exp(-points / 45))
    assert [e.score for e in result.entries] == [7.0, 4.5, 3.6, 1.0]
    farid, rahim, hasan, carl = result.entries
    assert farid.reasons == ["follow-up due today (set 2026-11-13): price list"]
    assert [(f.name, f.points) for f in farid.factors] == [("follow_up", 50.0)]
    assert farid.best_call_time.window == "11:00-13:00" and farid.best_call_time.source == "default"
    assert farid.offer_type == "discount"  # never bought
    assert rahim.reasons == ["wife Sarah's birthday tomorrow (turns 36)"]
    [birthday] = rahim.events
    assert (birthday.kind, birthday.whose, birthday.date, birthday.days_until) == (
        "birthday", "spouse Sarah Uddin", date(2026, 11, 21), 1)
    assert rahim.offer_type == "birthday_offer" and rahim.best_call_time.window == "18:00-19:00"
    assert [p.name for p in rahim.recommended_products] == ["Blue Kettle"]  # the best seller
    assert rahim.next_action.startswith("Call Rahim 18:00-19:00: mention wife Sarah's birthday tomorrow")
    assert hasan.reasons == ["hot customer"] and hasan.recommended_products == []  # already bought the kettle
    assert hasan.rfm == "514" and hasan.order_count == 1 and hasan.lifetime_value == 4500
    assert carl.reasons == [] and carl.factors == []
    lines = result.text.splitlines()
    assert lines[0] == "Call list for today (4 customers):"
    assert lines[2] == (
        "2. Rahim Uddin (score 4.5, cold) — wife Sarah's birthday tomorrow (turns 36). Offer: birthday offer "
        "(Blue Kettle). Best time 18:00-19:00. Next: " + rahim.next_action + " Phone +8801712345678.")
    assert lines[1].startswith("1. Farid Follow (score 7.0, cold) — follow-up due today")


def test_a_later_date_moves_follow_ups_and_birthdays(make_ctx, world):
    result = call("call_priority_list", {"date": "2026-11-21", "limit": 2}, make_ctx())
    assert result.date == date(2026, 11, 21) and "Sat 21 Nov 2026" in result.text
    farid, rahim = result.entries
    # one day overdue: 46 points; the birthday is today: 25 - 0.5
    assert [(f.name, f.points) for f in farid.factors] == [("follow_up", 46.0)]
    assert rahim.reasons == ["wife Sarah's birthday today (turns 36)"]


def test_filters(make_ctx, world):
    ctx = make_ctx("Rina Akter")
    hot = call("call_priority_list", {"temperature": " HOT "}, ctx)
    assert [e.name for e in hot.entries] == ["Hasan Hot"] and hot.filters == {"temperature": "hot"}
    prospects = call("call_priority_list", {"lifecycle_stage": "Prospect"}, ctx)
    assert [e.name for e in prospects.entries] == ["Rahim Uddin"]
    mine = call("call_priority_list", {"assigned_to_me": True}, ctx)
    assert [e.name for e in mine.entries] == ["Farid Follow", "Hasan Hot"] and "your customers only" in mine.text
    nobody = call("call_priority_list", {"temperature": "warm"}, ctx)
    assert nobody.entries == [] and nobody.text.startswith("No customers to call today, temperature warm")


def test_contact_details_as_the_role_allows(make_ctx, world):
    # default: agents work on every customer, so they see every number
    everyone = call("call_priority_list", {}, make_ctx("Rina Akter"))
    assert {e.name: e.phone for e in everyone.entries}["Rahim Uddin"] == "+8801712345678"
    restricted = call("call_priority_list", {}, make_ctx("Rina Akter", agents_see_all_customers=False))
    phones = {e.name: (e.phone, e.email) for e in restricted.entries}
    assert phones["Farid Follow"] == ("+8801712000001", "farid@example.com")  # her own customer
    assert phones["Rahim Uddin"][0].endswith("678") and "345678" not in phones["Rahim Uddin"][0]
    assert "+8801712345678" not in restricted.text and "8801812345678" not in restricted.text
    manager = call("call_priority_list", {}, make_ctx("Mona Manager", role="manager", agents_see_all_customers=False))
    assert {e.name: e.phone for e in manager.entries}["Rahim Uddin"] == "+8801712345678"


@pytest.mark.parametrize("args, words", [
    ({"temperature": "boiling"}, "use one of hot, warm, cold"),
    ({"lifecycle_stage": "vip"}, "use one of lead, prospect, first_buyer, repeat_buyer, loyal, inactive"),
    ({"date": "2026-11-19"}, "in the past"),
    ({"date": "tomorrow"}, "date"),
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
    ({"assigned_to": "Rina"}, "assigned_to"),
])
def test_invalid_arguments(make_ctx, world, args, words):
    result = call("call_priority_list", args, make_ctx())
    assert not result.ok and result.error == "invalid", result
    assert words in result.message


def _bulk_world(session, n: int, first_id: int) -> None:
    """``n`` customers, each with a follow-up, an order and a family birthday spread over the week."""
    customers = [Customer(id=first_id + i, name=f"Customer {first_id + i}", phone=f"+880171{first_id + i:07d}",
                          created_at=CREATED, updated_at=CREATED) for i in range(n)]
    session.add_all(customers)
    session.flush()
    for i, c in enumerate(customers):
        due = datetime(2026, 11, 13 + i % 10, 12, 0, tzinfo=DHAKA)
        session.add(Interaction(customer_id=c.id, type="call", direction="outbound", outcome="callback", notes="",
                                occurred_at=when(date(2026, 11, 1)), follow_up_at=due, follow_up_required=True,
                                created_at=CREATED))
        session.add(Order(customer_id=c.id, ordered_at=when(date(2026, 6, 1 + i % 28)), total_amount=1000 + i,
                          status="completed", created_at=CREATED))
        session.add(FamilyMember(customer_id=c.id, name=f"Kin {c.id}", name_key=f"kin {c.id}", relationship="child",
                                 date_of_birth=date(2015, 11, 20 + i % 7), created_at=CREATED))
    refresh_stats(session)


def test_queries_do_not_grow_with_the_number_of_customers(make_ctx, build, engine):
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    counts = []
    for n, first_id in ((30, 1), (300, 1000)):
        build(lambda s, n=n, first_id=first_id: _bulk_world(s, n, first_id))
        ctx = make_ctx()
        statements.clear()
        result = call("call_priority_list", {"limit": 10}, ctx)
        assert result.ok and len(result.entries) == 10, result
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 15, counts


def test_an_opt_out_withdraws_the_offer_at_once(make_ctx, world):
    ctx = make_ctx("Mona Manager")
    before = {e.customer_id: e for e in call("call_priority_list", {}, ctx).entries}
    assert before[world["farid"]].offer_type != "none" and before[world["farid"]].opted_out_channels == []
    # Farid has a phone and an email: one channel opted out keeps the offer, all of them withdraw it.
    assert call("update_consent", {"customer": world["farid"], "channel": "sms", "opted_in": False}, ctx).ok
    partly = {e.customer_id: e for e in call("call_priority_list", {}, ctx).entries}[world["farid"]]
    assert partly.offer_type == before[world["farid"]].offer_type and partly.opted_out_channels == ["sms"]
    assert call("update_consent", {"customer": world["farid"], "channel": "all", "opted_in": False}, ctx).ok
    result = call("call_priority_list", {}, ctx)
    farid = {e.customer_id: e for e in result.entries}[world["farid"]]
    assert (farid.offer_type, farid.recommended_products) == ("none", [])
    assert farid.opted_out_channels == ["whatsapp", "sms", "email"]
    assert "no offer" in farid.next_action and "Offer: none (opted out of whatsapp, sms, email" in result.text
    assert farid.rank == before[world["farid"]].rank  # still worth the call: the follow-up is due


def test_city_filter_ignores_case_and_spaces_and_explains_itself(make_ctx, build):
    def make(s):
        make_user(s, "Rina Akter")
        dhaka = make_customer(s, "Dina Dhaka", city="Dhaka", temperature="hot")
        make_customer(s, "Chandni Chattogram", city=" chattogram ")
        make_customer(s, "Nobody Nowhere")
        refresh_stats(s)
        return {"dhaka": dhaka.id}
    ids = build(make)
    ctx = make_ctx("Rina Akter")
    listed = call("call_priority_list", {"city": "  Chattogram"}, ctx)
    assert [e.name for e in listed.entries] == ["Chandni Chattogram"]
    assert listed.filters == {"city": "Chattogram"} and "in Chattogram" in listed.text
    assert call("call_priority_list", {"city": "Sylhet"}, ctx).entries == []
    assert len(call("call_priority_list", {"city": " "}, ctx).entries) == 3  # blank: no filter
    why = call("explain_call_priority", {"customer": ids["dhaka"], "city": "Chattogram"}, ctx)
    assert why.rule == "filtered" and "in Chattogram only" in why.reason and "in Dhaka" in why.reason
    bad = call("call_priority_list", {"city": 12}, ctx)
    assert not bad.ok and bad.error == "invalid" and "city" in bad.message
