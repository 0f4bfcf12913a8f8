"""The write gate: one transaction, one audit row per write, exactly once per idempotency key."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from domain.models import AuditLog, IdempotencyRecord, Interaction, Tag
from tests.factories import make_customer
from tests.tools.conftest import audit_rows, call
from tools.gate import audit
from tools.registry import REGISTRY, tool
from tools.results import ToolResult


@pytest.fixture
def rahim(build):
    return build(lambda s: make_customer(s, "Rahim Uddin", phone="01712345678").id)


ARGS = {
    "customer": "rahim",
    "type": "call",
    "notes": "asked about kettles",
    "outcome": "interested",
}


def test_the_same_key_writes_once_and_replays_the_first_result(make_ctx, sessions, rahim, count):
    ctx = make_ctx(key="slack:evt-42")
    first = call("log_interaction", ARGS, ctx)
    second = call("log_interaction", ARGS, ctx)
    assert first.ok and second.ok and second.replayed and not first.replayed
    assert type(second) is type(first)
    assert second.model_dump(exclude={"replayed"}) == first.model_dump(exclude={"replayed"})
    assert count(Interaction) == 1 and count(AuditLog) == 1 and count(IdempotencyRecord) == 1
    with sessions() as s:
        record = s.get(IdempotencyRecord, "slack:evt-42")
        assert (record.action, record.user_id, record.result["interaction"]["id"]) == (
            "log_interaction",
            ctx.actor.id,
            first.interaction.id,
        )


def test_without_a_key_every_call_writes(make_ctx, rahim, count):
    ctx = make_ctx()
    assert call("log_interaction", ARGS, ctx).ok and call("log_interaction", ARGS, ctx).ok
    assert count(Interaction) == 2 and count(IdempotencyRecord) == 0 and count(AuditLog) == 2


def test_a_key_reused_for_other_arguments_or_another_tool_is_a_conflict(make_ctx, rahim, count):
    ctx = make_ctx(key="k1")
    assert call("log_interaction", ARGS, ctx).ok
    other = call("log_interaction", {**ARGS, "notes": "something else"}, ctx)
    assert not other.ok and other.error == "conflict" and "other arguments" in other.message
    elsewhere = call(
        "add_family_member", {"customer": rahim, "name": "Sarah", "relationship": "spouse"}, ctx
    )
    assert (
        not elsewhere.ok
        and elsewhere.error == "conflict"
        and "log_interaction" in elsewhere.message
    )
    assert count(Interaction) == 1 and count(AuditLog) == 1


def test_audit_row_holds_who_what_arguments_and_before_after(make_ctx, sessions, rahim):
    ctx = make_ctx("Rina Akter", key="k-audit")
    result = call("log_interaction", ARGS, ctx)
    [row] = audit_rows(sessions)
    assert (
        row.user_id,
        row.action,
        row.entity,
        row.entity_id,
        row.customer_id,
        row.request_id,
    ) == (ctx.actor.id, "log_interaction", "interaction", result.interaction.id, rahim, "test")
    assert row.arguments == {**ARGS, "direction": "outbound", "products": []}
    assert (
        row.before["customer"]["temperature"] == "cold"
        and row.after["customer"]["temperature"] == "hot"
    )
    assert row.occurred_at == ctx.clock.now()


class _TagArgs(BaseModel):
    customer_id: int
    tag: str
    explode: bool = False


@pytest.fixture
def tag_tool():
    """A throwaway write tool: adds a tag (unique per customer), then may fail after writing."""

    @tool("write", name="test_add_tag")
    def test_add_tag(ctx, session, args: _TagArgs) -> ToolResult:
        session.add(Tag(customer_id=args.customer_id, tag=args.tag))
        session.flush()
        audit(
            session,
            entity="tag",
            entity_id=None,
            customer_id=args.customer_id,
            after={"tag": args.tag},
        )
        if args.explode:
            raise RuntimeError("bug after the write")
        return ToolResult(text=f"tagged {args.tag}")

    yield "test_add_tag"
    REGISTRY.pop("test_add_tag", None)


def test_an_unexpected_failure_rolls_everything_back(make_ctx, rahim, count, tag_tool):
    result = call(
        tag_tool, {"customer_id": rahim, "tag": "vip", "explode": True}, make_ctx(key="k-bug")
    )
    assert not result.ok and result.error == "internal" and "nothing was written" in result.message
    assert count(Tag) == 0 and count(AuditLog) == 0 and count(IdempotencyRecord) == 0


def test_a_unique_clash_becomes_a_conflict_not_a_crash(make_ctx, build, rahim, count, tag_tool):
    build(lambda s: s.add(Tag(customer_id=rahim, tag="vip")))
    result = call(tag_tool, {"customer_id": rahim, "tag": "vip"}, make_ctx(key="k-clash"))
    assert not result.ok and result.error == "conflict"
    assert count(Tag) == 1 and count(AuditLog) == 0 and count(IdempotencyRecord) == 0


def test_a_write_without_audit_entries_still_gets_one_audit_row(make_ctx, sessions, tag_tool):
    @tool("write", name="test_noop")
    def test_noop(ctx, session, args: _TagArgs) -> ToolResult:
        return ToolResult(text="nothing to do")

    try:
        assert call("test_noop", {"customer_id": 1, "tag": "x"}, make_ctx()).ok
        [row] = audit_rows(sessions, "test_noop")
        assert row.entity is None and row.arguments == {
            "customer_id": 1,
            "tag": "x",
            "explode": False,
        }
    finally:
        REGISTRY.pop("test_noop", None)


def test_domain_errors_become_tool_errors_with_the_field(make_ctx, rahim):
    result = call("log_interaction", {**ARGS, "duration_seconds": 99999}, make_ctx())
    assert (result.ok, result.error, result.field) == (False, "invalid", "duration_seconds")
    assert result.text.startswith("invalid: duration_seconds 99999 is over 12 hours")
