"""Who may act on which customer, and what is redacted for whom."""

from __future__ import annotations

import pytest

from domain.errors import Forbidden
from domain.models import AuditLog, Customer, FamilyMember, Interaction
from tests.factories import make_customer, make_user
from tests.tools.conftest import call, tool_settings
from tools.access import (
    can_act,
    can_see_contact,
    can_see_private,
    contact_email,
    contact_phone,
    ensure_can_act,
    redact_family,
    redact_opportunity_value,
)
from tools.context import Actor

ALL = tool_settings()
OWN = tool_settings(agents_see_all_customers=False)
RINA = Actor(id=1, name="Rina Akter", role="agent")
SUMI = Actor(id=2, name="Sumi Akter", role="agent")
BOSS = Actor(id=3, name="Mahmud Hasan", role="manager")


def customer(assigned_to_id):
    return Customer(id=7, name="Rahim Uddin", assigned_to_id=assigned_to_id)


@pytest.mark.parametrize(
    "actor, assigned, settings, allowed",
    [
        (RINA, 1, OWN, True),
        (RINA, None, OWN, True),
        (RINA, 2, OWN, False),
        (BOSS, 2, OWN, True),
        (RINA, 2, ALL, True),
        (SUMI, 2, OWN, True),
    ],
)
def test_who_may_act(actor, assigned, settings, allowed):
    assert can_act(actor, customer(assigned), settings) is allowed
    assert can_see_contact(actor, assigned, settings) is allowed


@pytest.mark.parametrize(
    "actor, assigned, visible",
    [
        (RINA, 1, True),
        (RINA, 2, False),
        (RINA, None, False),
        (BOSS, 2, True),
        (BOSS, None, True),
    ],
)
def test_private_details_follow_the_assignment_whatever_the_setting(actor, assigned, visible):
    assert can_see_private(actor, customer(assigned)) is visible
    assert can_see_private(actor, assigned) is visible
    members = [
        {"name": "Sarah Uddin", "phone": "+8801711000111"},
        {"name": "Mim Uddin", "phone": None},
    ]
    shown = redact_family(actor, customer(assigned), members)
    assert shown[0]["phone"] == ("+8801711000111" if visible else None)
    assert shown[0].get("phone_redacted", False) is (not visible)
    assert redact_opportunity_value(actor, assigned, 250000) == (250000 if visible else None)


def test_contact_details_are_masked_for_other_agents_customers():
    assert contact_phone(RINA, 2, "+8801712345678", OWN) == "+880*******678"
    assert contact_phone(RINA, 1, "+8801712345678", OWN) == "+8801712345678"
    assert contact_email(RINA, 2, "rahim@example.com", OWN) == "r***@example.com"
    assert contact_phone(RINA, 2, None, OWN) is None


def test_forbidden_names_who_to_ask(session):
    make_user(session, "Rina Akter")
    sumi = make_user(session, "Sumi Akter")
    make_user(session, "Mahmud Hasan", role="manager")
    row = make_customer(session, "Rahim Uddin", assigned_to=sumi)
    with pytest.raises(Forbidden) as caught:
        ensure_can_act(session, RINA, row, OWN)
    assert "ask Sumi Akter" in caught.value.message and "Mahmud Hasan" in caught.value.message


@pytest.fixture
def assigned_world(build):
    def world(s):
        sumi = make_user(s, "Sumi Akter")
        make_user(s, "Mahmud Hasan", role="manager")
        theirs = make_customer(
            s, "Rahim Uddin", phone="01712345678", email="rahim@example.com", assigned_to=sumi
        )
        free = make_customer(s, "Karim Miah", phone="01812345678")
        return theirs.id, free.id

    return build(world)


@pytest.mark.parametrize(
    "tool, args",
    [
        ("log_interaction", {"type": "call", "notes": "x"}),
        ("add_family_member", {"name": "Sarah Uddin", "relationship": "spouse"}),
    ],
)
def test_agents_limited_to_their_own_customers_write_nothing_elsewhere(
    make_ctx, assigned_world, count, tool, args
):
    theirs, free = assigned_world
    rina = make_ctx("Rina Akter", agents_see_all_customers=False)
    refused = call(tool, {"customer": theirs, **args}, rina)
    assert not refused.ok and refused.error == "forbidden" and "Sumi Akter" in refused.message
    assert count(Interaction) + count(FamilyMember) + count(AuditLog) == 0
    assert call(tool, {"customer": free, **args}, rina).ok  # unassigned: anyone may
    boss = make_ctx("Mahmud Hasan", role="manager", agents_see_all_customers=False)
    assert call(tool, {"customer": theirs, **args}, boss.with_key(None)).ok
    everyone = make_ctx("Rina Akter", agents_see_all_customers=True)
    if tool == "log_interaction":
        assert call(tool, {"customer": theirs, **args}, everyone).ok


def test_find_customers_masks_what_the_role_may_not_see(make_ctx, assigned_world):
    theirs, free = assigned_world
    rina = make_ctx("Rina Akter", agents_see_all_customers=False)
    found = {m.id: m for m in call("find_customers", {"query": "01712-345678"}, rina).matches}
    assert found[theirs].phone == "+880*******678" and found[theirs].email == "r***@example.com"
    assert found[theirs].assigned_to == "Sumi Akter"
    free_match = call("find_customers", {"query": "Karim"}, rina).matches[0]
    assert (free_match.id, free_match.phone) == (free, "+8801812345678")
    boss = make_ctx("Mahmud Hasan", role="manager", agents_see_all_customers=False)
    assert call("find_customers", {"query": "rahim"}, boss).matches[0].phone == "+8801712345678"
