"""mark_dropoff_recovered: picking the drop-off, attribution within 14 days, already recovered."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.models import AuditLog, Customer, CustomerStats, Dropoff
from domain.stats import refresh_stats
from tests.factories import make_customer, make_dropoff, make_interaction, make_product, make_user
from tests.tools.conftest import audit_rows, call

DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


@pytest.fixture
def world(build):
    def make(s):
        sumi = make_user(s, "Sumi Akter")
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678")
        kettle = make_product(s, "Blue Kettle")
        cart = make_dropoff(s, rahim, at=date(2026, 11, 12), cart_value=5500, product=kettle)
        # Outreach: before the drop-off (no credit), two after it, and an inbound reply (not outreach).
        make_interaction(s, rahim, at=datetime(2026, 11, 10, 11, 0), type="call", notes="before")
        make_interaction(
            s, rahim, at=datetime(2026, 11, 14, 16, 0), type="call", notes="reminded", user=sumi
        )
        credited = make_interaction(
            s, rahim, at=datetime(2026, 11, 18, 12, 0), type="whatsapp", notes="coupon", user=sumi
        )
        make_interaction(
            s,
            rahim,
            at=datetime(2026, 11, 19, 9, 0),
            type="whatsapp",
            direction="inbound",
            notes="thanks",
        )
        refresh_stats(s, [rahim.id], now=NOW)
        return {"rahim": rahim.id, "cart": cart.id, "credited": credited.id, "sumi": sumi.id}

    return build(make)


def test_recovers_the_only_open_dropoff_and_credits_the_latest_outreach(make_ctx, sessions, world):
    ctx = make_ctx("Rina Akter")
    result = call(
        "mark_dropoff_recovered", {"customer": "01712-345678", "note": "paid by bKash"}, ctx
    )
    assert result.ok, result.text
    assert result.dropoff.id == world["cart"] and not result.already_recovered
    assert result.attributed_to.interaction_id == world["credited"]
    assert (result.attributed_to.type, result.attributed_to.logged_by) == ("whatsapp", "Sumi Akter")
    assert result.dropoff.product == "Blue Kettle" and result.dropoff.cart_value == 5500
    assert "Credited to the whatsapp of 2026-11-18 by Sumi Akter" in result.text
    with sessions() as s:
        row = s.get(Dropoff, world["cart"])
        assert row.recovered and row.recovered_at == NOW and row.recovered_by_id == ctx.actor.id
        assert (
            row.recovery_interaction_id == world["credited"]
            and row.recovery_note == "paid by bKash"
        )
        assert s.get(CustomerStats, world["rahim"]).open_dropoff_count == 0
    [entry] = audit_rows(sessions, "mark_dropoff_recovered")
    assert entry.before["recovered"] is False and entry.after["recovered"] is True
    assert entry.after["recovery_interaction_id"] == world["credited"]


def test_outreach_older_than_14_days_or_before_the_dropoff_gets_no_credit(make_ctx, build):
    def make(s):
        c = make_customer(s, "Karim Uddin")
        make_interaction(s, c, at=date(2026, 11, 5), notes="21 days before the recovery")  # too old
        make_interaction(s, c, at=date(2026, 11, 17), notes="before the cart")
        return make_dropoff(s, c, at=date(2026, 11, 18), cart_value=1200).id

    dropoff_id = build(make)
    result = call("mark_dropoff_recovered", {"dropoff_id": f"#{dropoff_id}"}, make_ctx())
    assert result.ok and result.attributed_to is None
    assert "No outreach in the last 14 days" in result.text


def test_already_recovered_is_reported_not_repeated(make_ctx, sessions, world):
    rina = make_ctx("Rina Akter")
    first = call("mark_dropoff_recovered", {"dropoff_id": world["cart"]}, rina)
    assert first.ok and not first.already_recovered
    again = call(
        "mark_dropoff_recovered",
        {"dropoff_id": world["cart"], "note": "again"},
        make_ctx("Sumi Akter"),
    )
    assert again.ok and again.already_recovered
    assert "already recovered on 2026-11-20 by Rina Akter" in again.text
    with sessions() as s:
        row = s.get(Dropoff, world["cart"])
        assert (row.recovered_by_id, row.recovery_note) == (
            rina.actor.id,
            None,
        )  # the first recovery stands


def test_several_open_dropoffs_by_customer_are_ambiguous(make_ctx, build, world, count):
    second = build(
        lambda s: (
            make_dropoff(
                s,
                s.get(Customer, world["rahim"]),
                at=date(2026, 11, 19),
                stage="checkout_initiated",
                cart_value=900,
            ).id
        )
    )
    result = call("mark_dropoff_recovered", {"customer": "Rahim"}, make_ctx())
    assert not result.ok and result.error == "ambiguous"
    assert [(c.id, c.kind) for c in result.candidates] == [
        (second, "dropoff"),
        (world["cart"], "dropoff"),
    ]
    assert result.candidates[1].name == "add to cart of Blue Kettle"
    assert result.candidates[1].detail == "BDT 5,500, 2026-11-12"
    assert count(Dropoff, Dropoff.recovered.is_(True)) == 0 and count(AuditLog) == 0


@pytest.mark.parametrize(
    "args, error, words",
    [
        ({}, "invalid", "at least one"),
        ({"dropoff_id": 999}, "not_found", "#999"),
        ({"dropoff_id": "blue cart"}, "invalid", "not a number"),
        ({"customer": "Nobody"}, "not_found", "Nobody"),
    ],
)
def test_refusals_write_nothing(make_ctx, world, count, args, error, words):
    result = call("mark_dropoff_recovered", args, make_ctx())
    assert not result.ok and result.error == error, result
    assert words in result.message
    assert count(Dropoff, Dropoff.recovered.is_(True)) == 0 and count(AuditLog) == 0


def test_customer_without_open_dropoffs_and_mismatched_customer(make_ctx, build, world, count):
    other = build(lambda s: make_customer(s, "Sarah Ahmed").id)
    none_open = call("mark_dropoff_recovered", {"customer": other}, make_ctx())
    assert none_open.error == "not_found" and "no open drop-off" in none_open.message
    mismatch = call(
        "mark_dropoff_recovered", {"customer": other, "dropoff_id": world["cart"]}, make_ctx()
    )
    assert mismatch.error == "invalid" and "belongs to Rahim Uddin" in mismatch.message
    assert count(Dropoff, Dropoff.recovered.is_(True)) == 0
