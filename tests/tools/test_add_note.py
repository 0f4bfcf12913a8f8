"""add_note: the note row with its author, the audit row, replays and refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.models import AuditLog, IdempotencyRecord, Note
from domain.notes import customer_notes
from tests.factories import make_customer, make_user
from tests.tools.conftest import audit_rows, call


@pytest.fixture
def rahim(build):
    return build(lambda s: make_customer(s, "Rahim Uddin", phone="01712345678").id)


def notes(sessions):
    with sessions() as s:
        return [(n.customer_id, n.author_id, n.type, n.body, n.pinned) for n in s.scalars(select(Note).order_by(Note.id))]


def test_adds_a_pinned_note_signed_by_the_actor(make_ctx, sessions, rahim, clock):
    ctx = make_ctx("Rina Akter")
    result = call("add_note", {"customer": "rahim", "text": "  Prefers bKash; no COD. ", "pinned": True}, ctx)
    assert result.ok, result.text
    assert notes(sessions) == [(rahim, ctx.actor.id, "internal", "Prefers bKash; no COD.", True)]
    assert (result.note.author, result.note.type, result.note.created_at) == (
        "Rina Akter", "internal", "2026-11-20T10:30+06:00")
    assert "pinned internal note" in result.text and "Rina Akter" in result.text
    [row] = audit_rows(sessions, "add_note")
    assert (row.entity, row.entity_id, row.customer_id, row.before) == ("note", result.note.id, rahim, None)
    assert row.after["text"] == "Prefers bKash; no COD." and row.after["author_id"] == ctx.actor.id
    with sessions() as s:
        [view] = customer_notes(s, rahim)
    assert (view.author, view.pinned, view.created_at) == ("Rina Akter", True, clock.now())


@pytest.mark.parametrize("given, stored", [("Complaint", "complaint"), ("follow-up", "follow_up"),
                                           ("follow up", "follow_up"), ("REMINDER", "reminder")])
def test_types_are_folded(make_ctx, sessions, rahim, given, stored):
    assert call("add_note", {"customer": rahim, "text": "x", "type": given}, make_ctx()).ok
    assert notes(sessions)[0][2] == stored


def test_the_same_key_writes_one_note(make_ctx, rahim, count):
    ctx = make_ctx(key="http:note-1")
    args = {"customer": rahim, "text": "Call after 6 pm", "type": "reminder"}
    first, second = call("add_note", args, ctx), call("add_note", args, ctx)
    assert first.ok and second.replayed and second.note == first.note
    assert count(Note) == 1 and count(AuditLog) == 1 and count(IdempotencyRecord) == 1


@pytest.mark.parametrize("args, field", [
    ({"text": "x" * 4001}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "ok", "type": "gossip"}, "type"),
])
def test_bad_input_names_the_field_and_writes_nothing(make_ctx, rahim, count, args, field):
    result = call("add_note", {"customer": rahim, **args}, make_ctx())
    assert not result.ok and result.error == "invalid" and result.field == field, result.text
    assert count(Note) == 0 and count(AuditLog) == 0


def test_exactly_4000_characters_is_accepted(make_ctx, rahim, count):
    assert call("add_note", {"customer": rahim, "text": "y" * 4000}, make_ctx()).ok and count(Note) == 1


def test_an_agent_limited_to_own_customers_cannot_note_anothers(make_ctx, build, count):
    cid = build(lambda s: make_customer(s, "Karim Mia", assigned_to=make_user(s, "Sumi Akter")).id)
    result = call("add_note", {"customer": cid, "text": "hello"}, make_ctx(agents_see_all_customers=False))
    assert not result.ok and result.error == "forbidden" and count(Note) == 0
