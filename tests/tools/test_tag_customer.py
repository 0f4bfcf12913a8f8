"""tag_customer: normalised unique tags, what was already so, the audit row, replays and refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.models import AuditLog, IdempotencyRecord, Tag
from tests.factories import make_customer
from tests.tools.conftest import audit_rows, call


@pytest.fixture
def rahim(build):
    return build(lambda s: make_customer(s, "Rahim Uddin", phone="01712345678", tags=["bulk-buyer", "vip"]).id)


def tags(sessions, cid):
    with sessions() as s:
        return sorted(s.scalars(select(Tag.tag).where(Tag.customer_id == cid)))


def test_adds_and_removes_in_one_step(make_ctx, sessions, rahim):
    result = call("tag_customer", {"customer": "rahim", "add": ["Eid Shopper", "#Gift_Buyer"], "remove": ["VIP"]},
                  make_ctx())
    assert result.ok, result.text
    assert (result.added, result.removed) == (["eid-shopper", "gift-buyer"], ["vip"])
    assert tags(sessions, rahim) == result.tags == ["bulk-buyer", "eid-shopper", "gift-buyer"]
    [row] = audit_rows(sessions, "tag_customer")
    assert row.before == {"tags": ["bulk-buyer", "vip"]}
    assert row.after == {"tags": ["bulk-buyer", "eid-shopper", "gift-buyer"], "added": ["eid-shopper", "gift-buyer"],
                         "removed": ["vip"]}


def test_an_existing_tag_or_a_missing_one_changes_nothing_and_is_said_so(make_ctx, sessions, rahim):
    result = call("tag_customer", {"customer": rahim, "add": ["bulk buyer"], "remove": ["saree-lover"]}, make_ctx())
    assert result.ok and result.added == [] and result.removed == []
    assert result.already_present == ["bulk-buyer"] and result.not_present == ["saree-lover"]
    assert "Nothing changed" in result.text and "Already tagged: bulk-buyer" in result.text
    assert tags(sessions, rahim) == ["bulk-buyer", "vip"]
    assert audit_rows(sessions, "tag_customer")[0].entity is None  # the gate's row, nothing changed


def test_a_single_string_is_one_tag_and_bangla_is_kept(make_ctx, sessions, rahim):
    assert call("tag_customer", {"customer": rahim, "add": "ঈদ কেনাকাটা"}, make_ctx()).ok
    assert "ঈদ-কেনাকাটা" in tags(sessions, rahim)


def test_the_same_key_replays(make_ctx, rahim, count):
    ctx = make_ctx(key="k-tag")
    args = {"customer": rahim, "add": ["eid-shopper"]}
    first, second = call("tag_customer", args, ctx), call("tag_customer", args, ctx)
    assert first.ok and second.replayed and second.added == ["eid-shopper"]
    assert count(Tag) == 3 and count(AuditLog) == 1 and count(IdempotencyRecord) == 1


@pytest.mark.parametrize("args, field", [
    ({"add": ["x" * 51]}, "add"),
    ({"remove": ["y" * 51]}, "remove"),
    ({}, "add"),
    ({"add": ["vip"], "remove": ["VIP"]}, "remove"),
    ({"add": ["a<b>"]}, "add"),
])
def test_bad_input_names_the_field_and_writes_nothing(make_ctx, sessions, rahim, count, args, field):
    result = call("tag_customer", {"customer": rahim, **args}, make_ctx())
    assert not result.ok and result.error == "invalid" and result.field == field, result.text
    assert tags(sessions, rahim) == ["bulk-buyer", "vip"] and count(AuditLog) == 0


def test_fifty_characters_is_accepted(make_ctx, rahim):
    assert call("tag_customer", {"customer": rahim, "add": ["z" * 50]}, make_ctx()).ok
