"""update_consent on small worlds: the current state, the log, the audit row, replays, refusals,
and that an opt-out blocks drafts at once (property test)."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from domain.embeddings import LEXICAL
from domain.models import AuditLog, Customer, ChannelConsent, ConsentEvent, IdempotencyRecord
from domain.retrieval import ReplyIndex, chroma_client
from tests.factories import make_consent, make_customer, make_interaction, make_user
from tests.tools.conftest import audit_rows, call
from tools.draft_reply import INDEX_KEY

DHAKA = ZoneInfo("Asia/Dhaka")


@pytest.fixture
def rahim(build):
    """Phone and email; WhatsApp consent given explicitly, SMS opted out, nothing on record for email."""
    def world(s):
        c = make_customer(s, "Rahim Uddin", phone="01712345678", email="rahim@example.com")
        make_consent(s, c, "whatsapp", True)
        make_consent(s, c, "sms", False)
        return c.id
    return build(world)


def consent(sessions, customer_id):
    with sessions() as s:
        return {r.channel: r.opted_in for r in s.scalars(select(ChannelConsent).where(
            ChannelConsent.customer_id == customer_id))}


def log(sessions, customer_id):
    with sessions() as s:
        return [(e.channel, e.opted_in, e.source, e.reason, e.user_id) for e in s.scalars(
            select(ConsentEvent).where(ConsentEvent.customer_id == customer_id).order_by(ConsentEvent.id))]


def test_opt_out_of_one_channel_updates_state_log_and_audit(make_ctx, sessions, rahim):
    ctx = make_ctx("Rina Akter", key="k-optout")
    result = call("update_consent", {"customer": "rahim", "channel": "WhatsApp", "opted_in": False,
                                     "reason": "asked us to stop"}, ctx)
    assert result.ok, result.text
    assert [(c.channel, c.before, c.after, c.changed) for c in result.changes] == [("whatsapp", True, False, True)]
    assert consent(sessions, rahim) == {"whatsapp": False, "sms": False}
    assert log(sessions, rahim) == [("whatsapp", False, "agent", "asked us to stop", ctx.actor.id)]
    [row] = audit_rows(sessions, "update_consent")
    assert (row.entity, row.customer_id, row.user_id) == ("consent", rahim, ctx.actor.id)
    assert row.before == {"whatsapp": True}
    assert row.after == {"whatsapp": False, "reason": "asked us to stop", "source": "agent"}
    assert "blocked" in result.text


def test_all_changes_every_reachable_channel_and_says_what_was_already_so(make_ctx, sessions, rahim, build):
    # A Facebook thread makes facebook reachable too; Instagram has no thread and no row: untouched.
    build(lambda s: make_interaction(s, s.get(Customer, rahim), at=date(2026, 11, 1), type="facebook",
                                     direction="inbound"))
    result = call("update_consent", {"customer": rahim, "channel": "all", "opted_in": False,
                                     "source": "customer_request"}, make_ctx())
    assert result.ok, result.text
    assert [(c.channel, c.before, c.changed) for c in result.changes] == [
        ("whatsapp", True, True), ("sms", False, False), ("email", None, True), ("facebook", None, True)]
    assert consent(sessions, rahim) == {"whatsapp": False, "sms": False, "email": False, "facebook": False}
    assert [e[0] for e in log(sessions, rahim)] == ["whatsapp", "email", "facebook"]  # sms unchanged: no line
    assert "Already so: sms" in result.text


def test_nothing_changed_writes_no_log_line(make_ctx, sessions, rahim):
    result = call("update_consent", {"customer": rahim, "channel": "sms", "opted_in": False}, make_ctx())
    assert result.ok and "Nothing changed" in result.text and result.changes[0].changed is False
    assert log(sessions, rahim) == []


def test_the_same_key_replays_without_a_second_log_line(make_ctx, sessions, rahim, count):
    ctx = make_ctx(key="slack:evt-consent")
    args = {"customer": rahim, "channel": "email", "opted_in": False}
    first, second = call("update_consent", args, ctx), call("update_consent", args, ctx)
    assert first.ok and second.ok and second.replayed and not first.replayed
    assert second.changes == first.changes
    assert len(log(sessions, rahim)) == 1 and count(AuditLog) == 1 and count(IdempotencyRecord) == 1


@pytest.mark.parametrize("args, field", [
    ({"channel": "telegram", "opted_in": False}, "channel"),
    ({"channel": "sms"}, "opted_in"),
    ({"channel": "sms", "opted_in": False, "reason": "x" * 501}, "reason"),
    ({"channel": "sms", "opted_in": False, "source": " "}, "source"),
])
def test_bad_input_names_the_field_and_writes_nothing(make_ctx, sessions, rahim, count, args, field):
    result = call("update_consent", {"customer": rahim, **args}, make_ctx())
    assert not result.ok and result.error == "invalid" and result.field == field, result.text
    assert field in result.message
    assert log(sessions, rahim) == [] and count(AuditLog) == 0


def test_all_on_a_customer_without_any_channel_is_an_error(make_ctx, build, count):
    cid = build(lambda s: make_customer(s, "Nobody Known").id)
    result = call("update_consent", {"customer": cid, "channel": "all", "opted_in": False}, make_ctx())
    assert not result.ok and result.field == "channel" and count(ConsentEvent) == 0


def test_anyone_may_record_an_opt_out_but_opting_in_needs_the_customer(make_ctx, build, sessions):
    def world(s):
        sumi = make_user(s, "Sumi Akter")
        return make_customer(s, "Karim Mia", phone="01812345678", assigned_to=sumi).id
    cid = build(world)
    rina = make_ctx("Rina Akter", agents_see_all_customers=False)
    assert call("update_consent", {"customer": cid, "channel": "sms", "opted_in": False}, rina).ok
    refused = call("update_consent", {"customer": cid, "channel": "sms", "opted_in": True}, rina)
    assert not refused.ok and refused.error == "forbidden"
    assert consent(sessions, cid) == {"sms": False}


@pytest.fixture(scope="module")
def lexical_index():
    return ReplyIndex(chroma_client(None), LEXICAL, collection=f"t_{uuid.uuid4().hex[:8]}")


CHANNELS = ["whatsapp", "sms", "email", "instagram", "facebook"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from([*CHANNELS, "all"]), st.booleans()), min_size=1, max_size=5),
       draft_channel=st.sampled_from(CHANNELS))
def test_after_an_opt_out_no_draft_on_that_channel_is_ever_allowed(make_ctx, build, lexical_index, steps,
                                                                 draft_channel):
    def world(s):
        c = make_customer(s, f"Prop {uuid.uuid4().hex[:8]}", phone="01712345678", email="p@example.com")
        make_interaction(s, c, at=datetime(2026, 11, 20, 8, 30, tzinfo=DHAKA), type="whatsapp", direction="inbound")
        make_interaction(s, c, at=date(2026, 11, 1), type="instagram", direction="inbound")
        make_interaction(s, c, at=date(2026, 11, 1), type="facebook", direction="inbound")
        return c.id
    cid = build(world)
    ctx = replace(make_ctx(), extras={INDEX_KEY: lexical_index})
    last: dict[str, bool] = {}
    for channel, opted_in in steps:
        assert call("update_consent", {"customer": cid, "channel": channel, "opted_in": opted_in}, ctx).ok
        for c in (CHANNELS if channel == "all" else [channel]):
            last[c] = opted_in
    result = call("draft_reply", {"customer": cid, "channel": draft_channel, "topic": "new arrivals"}, ctx)
    assert result.ok, result.text
    if last.get(draft_channel) is False:
        assert result.allowed is False and result.blocked_reason == "opted_out"
    assert result.alternative_channel is None or last.get(result.alternative_channel) is not False
