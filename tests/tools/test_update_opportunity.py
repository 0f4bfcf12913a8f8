"""update_opportunity: finding the deal, the stage/won/lost rules, the audit row, replays, refusals."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.models import AuditLog, IdempotencyRecord, Opportunity
from tests.factories import make_customer, make_opportunity
from tests.tools.conftest import audit_rows, call


@pytest.fixture
def karim(build):
    """Karim Traders: an open Eid bulk order (proposal, 50%), an open Winter stock deal, a won deal."""
    def world(s):
        c = make_customer(s, "Karim Traders", phone="01812345678", account_kind="wholesale")
        make_opportunity(s, c, "Eid bulk order", value=250000, stage="proposal", probability=0.5, at=date(2026, 10, 1))
        make_opportunity(s, c, "Winter blanket stock", value=90000, stage="qualification", probability=0.1,
                         at=date(2026, 10, 5))
        make_opportunity(s, c, "Spring saree lot", value=60000, stage="closed_won", status="won", probability=1.0,
                         at=date(2026, 3, 1))
        return c.id
    return build(world)


def deals(sessions):
    with sessions() as s:
        return {d.name: (d.stage, float(d.value), round(d.probability * 100), d.status)
                for d in s.scalars(select(Opportunity))}


def test_moves_a_deal_named_fuzzily_to_a_stage(make_ctx, sessions, karim, clock):
    result = call("update_opportunity", {"customer": "karim traders", "opportunity": "eid bulk",
                                         "stage": "Negotiation"}, make_ctx(role="manager"))
    assert result.ok, result.text
    assert [(c.field, c.before, c.after) for c in result.changes] == [("stage", "proposal", "negotiation")]
    assert deals(sessions)["Eid bulk order"] == ("negotiation", 250000.0, 50, "open")
    [row] = audit_rows(sessions, "update_opportunity")
    assert (row.entity, row.customer_id) == ("opportunity", karim)
    assert (row.before["stage"], row.after["stage"], row.after["probability"]) == ("proposal", "negotiation", 50)
    with sessions() as s:
        assert s.scalar(select(Opportunity.updated_at).where(Opportunity.name == "Eid bulk order")) == clock.now()


def test_won_sets_closed_won_and_100_percent(make_ctx, sessions, karim, clock):
    result = call("update_opportunity", {"customer": karim, "opportunity": "Eid bulk order", "status": "won",
                                         "value": "275,000"}, make_ctx(role="manager"))
    assert result.ok, result.text
    assert deals(sessions)["Eid bulk order"] == ("closed_won", 275000.0, 100, "won")
    assert {c.field for c in result.changes} == {"stage", "value", "probability", "status"}
    with sessions() as s:
        assert s.scalar(select(Opportunity.closed_at).where(Opportunity.name == "Eid bulk order")) == clock.now()


def test_lost_by_stage_alone(make_ctx, sessions, karim):
    assert call("update_opportunity", {"customer": karim, "opportunity": "winter", "stage": "closed lost"},
                make_ctx()).ok
    assert deals(sessions)["Winter blanket stock"] == ("closed_lost", 90000.0, 0, "lost")


def test_no_deal_named_with_two_open_is_ambiguous_and_lists_them(make_ctx, karim, count):
    result = call("update_opportunity", {"customer": karim, "stage": "proposal"}, make_ctx())
    assert not result.ok and result.error == "ambiguous" and result.field == "opportunity"
    assert [c.name for c in result.candidates] == ["Eid bulk order", "Winter blanket stock"]
    assert {c.kind for c in result.candidates} == {"opportunity"} and count(AuditLog) == 0


def test_no_deal_named_takes_the_only_open_one(make_ctx, sessions, karim):
    assert call("update_opportunity", {"customer": karim, "opportunity": "winter", "status": "lost"}, make_ctx()).ok
    result = call("update_opportunity", {"customer": karim, "probability": "70%"}, make_ctx())
    assert result.ok and result.opportunity.name == "Eid bulk order"
    assert deals(sessions)["Eid bulk order"][2] == 70


def test_by_id_and_another_customers_deal_is_not_found(make_ctx, build, sessions, karim):
    other = build(lambda s: make_opportunity(s, make_customer(s, "Other Shop"), "Other deal", at=date(2026, 9, 1)).id)
    with sessions() as s:
        eid = s.scalar(select(Opportunity.id).where(Opportunity.name == "Eid bulk order"))
    assert call("update_opportunity", {"customer": karim, "opportunity": eid, "probability": 60}, make_ctx()).ok
    result = call("update_opportunity", {"customer": karim, "opportunity": other, "probability": 60}, make_ctx())
    assert not result.ok and result.error == "not_found" and result.field == "opportunity"


def test_the_same_key_replays(make_ctx, karim, count):
    ctx = make_ctx(key="k-deal")
    args = {"customer": karim, "opportunity": "eid", "stage": "negotiation"}
    first, second = call("update_opportunity", args, ctx), call("update_opportunity", args, ctx)
    assert first.ok and second.replayed and second.changes == first.changes
    assert count(AuditLog) == 1 and count(IdempotencyRecord) == 1


@pytest.mark.parametrize("args, field", [
    ({"status": "won", "probability": 90}, "probability"),
    ({"stage": "closed_won", "probability": 80}, "probability"),
    ({"stage": "signing"}, "stage"),
    ({"status": "open", "stage": "closed_won"}, "stage"),
    ({"probability": 120}, "probability"),
    ({"value": -5}, "value"),
    ({}, "stage"),
    ({"status": "maybe"}, "status"),
])
def test_bad_input_names_the_field_and_writes_nothing(make_ctx, sessions, karim, count, args, field):
    before = deals(sessions)
    result = call("update_opportunity", {"customer": karim, "opportunity": "eid bulk order", **args}, make_ctx())
    assert not result.ok and result.error == "invalid" and result.field == field, result.text
    assert deals(sessions) == before and count(AuditLog) == 0


def test_reopening_a_won_deal_needs_a_stage(make_ctx, sessions, karim):
    result = call("update_opportunity", {"customer": karim, "opportunity": "spring saree", "status": "open"}, make_ctx())
    assert not result.ok and result.field == "stage"
    assert call("update_opportunity", {"customer": karim, "opportunity": "spring saree", "status": "open",
                                       "stage": "negotiation", "probability": 70}, make_ctx()).ok
    assert deals(sessions)["Spring saree lot"] == ("negotiation", 60000.0, 70, "open")


def test_an_agent_who_may_not_see_values_gets_none_back(make_ctx, build, karim):
    result = call("update_opportunity", {"customer": karim, "opportunity": "eid", "value": 300000}, make_ctx())
    assert result.ok and result.opportunity.value is None and "value changed" in result.text
    assert result.changes[0].before is None
