"""Retention: free text older than the set number of days is redacted, idempotently, with counts per table."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.db import transaction
from domain.errors import DomainError
from domain.models import (
    AuditLog,
    BehaviorEvent,
    ConsentEvent,
    Dropoff,
    IdempotencyRecord,
    Interaction,
    Note,
    Order,
    SupportTicket,
)
from domain.privacy import REDACTED, apply_retention
from tests.factories import (
    DHAKA,
    make_behavior,
    make_customer,
    make_dropoff,
    make_interaction,
    make_order,
    make_ticket,
    make_user,
)

OLD = date(2026, 5, 1)  # 203 days before the test clock
RECENT = date(2026, 11, 1)


@pytest.fixture
def world(sessions, clock):
    with transaction(sessions) as s:
        agent = make_user(s)
        rahim = make_customer(s, "Rahim Uddin", phone="01712345678")
        for day, tag in ((OLD, "old"), (RECENT, "new")):
            at = datetime.combine(day, datetime.min.time(), tzinfo=DHAKA)
            make_interaction(
                s,
                rahim,
                at=day,
                notes=f"{tag} call notes",
                summary=f"{tag} summary",
                subject=f"{tag} subject",
            )
            make_dropoff(s, rahim, at=day, reason=f"{tag} reason", recovery_note=f"{tag} recovery")
            make_ticket(s, rahim, f"{tag} ticket", at=day)
            make_behavior(s, rahim, at=day, type="search", query=f"{tag} search")
            s.add(Note(customer_id=rahim.id, author_id=agent.id, body=f"{tag} note", created_at=at))
            s.add(
                ConsentEvent(
                    customer_id=rahim.id,
                    channel="sms",
                    opted_in=True,
                    source="agent",
                    reason=f"{tag} consent reason",
                    occurred_at=at,
                )
            )
            s.add(
                AuditLog(
                    occurred_at=at,
                    user_id=agent.id,
                    action="log_interaction",
                    entity="interaction",
                    customer_id=rahim.id,
                    arguments={"customer": rahim.id, "notes": f"{tag} audit notes"},
                    after={"interaction": {"notes": f"{tag} audit notes", "type": "call"}},
                )
            )
            s.add(
                IdempotencyRecord(
                    key=f"key-{tag}",
                    action="log_interaction",
                    created_at=at,
                    result={"ok": True, "interaction": {"notes": f"{tag} kept notes"}},
                )
            )
        s.add(
            Interaction(
                customer_id=rahim.id, type="call", notes=None, occurred_at=at.replace(year=2025)
            )
        )
        make_order(s, rahim, at=OLD, amount=4500)
    return rahim.id


def retention(sessions, clock, days=90, dry_run=False):
    with transaction(sessions) as s:
        return apply_retention(s, days=days, now=clock.now(), dry_run=dry_run)


EXPECTED = {
    "audit_log": 1,
    "behavior_events": 1,
    "consent_events": 1,
    "dropoffs": 1,
    "idempotency_records": 1,
    "interactions": 1,
    "notes": 1,
    "support_tickets": 1,
}


def test_old_free_text_is_redacted_and_recent_text_kept(world, sessions, clock):
    report = retention(sessions, clock)
    assert report.changed == EXPECTED and report.total == 8 and not report.dry_run
    assert report.cutoff == clock.now() - timedelta(days=90)
    with sessions() as s:
        assert s.execute(
            select(Interaction.notes, Interaction.summary, Interaction.subject)
            .where(Interaction.notes.is_not(None))
            .order_by(Interaction.occurred_at)
        ).all() == [(REDACTED, None, None), ("new call notes", "new summary", "new subject")]
        assert s.scalars(select(Note.body).order_by(Note.created_at)).all() == [
            REDACTED,
            "new note",
        ]
        assert s.execute(
            select(Dropoff.reason, Dropoff.recovery_note).order_by(Dropoff.occurred_at)
        ).all() == [(None, None), ("new reason", "new recovery")]
        assert s.scalars(
            select(SupportTicket.subject).order_by(SupportTicket.created_at)
        ).all() == [REDACTED, "new ticket"]
        assert s.scalars(select(BehaviorEvent.query).order_by(BehaviorEvent.occurred_at)).all() == [
            None,
            "new search",
        ]
        assert s.scalars(select(ConsentEvent.reason).order_by(ConsentEvent.occurred_at)).all() == [
            None,
            "new consent reason",
        ]
        audits = s.scalars(select(AuditLog).order_by(AuditLog.occurred_at)).all()
        assert audits[0].arguments == {"customer": world, "notes": REDACTED}
        assert audits[0].after == {"interaction": {"notes": REDACTED, "type": "call"}}
        assert audits[1].arguments["notes"] == "new audit notes"
        assert s.get(IdempotencyRecord, "key-old").result == {
            "ok": True,
            "interaction": {"notes": REDACTED},
        }
        assert (
            s.get(IdempotencyRecord, "key-new").result["interaction"]["notes"] == "new kept notes"
        )
        assert [str(a) for a in s.scalars(select(Order.total_amount))] == [
            "4500.00"
        ]  # amounts are kept


def test_a_second_run_changes_nothing(world, sessions, clock):
    retention(sessions, clock)
    again = retention(sessions, clock)
    assert again.total == 0 and set(again.changed.values()) == {0}


def test_a_dry_run_reports_the_same_counts_and_changes_nothing(world, sessions, clock):
    preview = retention(sessions, clock, dry_run=True)
    assert preview.changed == EXPECTED and preview.dry_run
    assert "would redact 8 rows" in preview.describe()
    with sessions() as s:
        assert s.scalars(select(Note.body).order_by(Note.created_at)).all() == [
            "old note",
            "new note",
        ]
        assert (
            s.get(IdempotencyRecord, "key-old").result["interaction"]["notes"] == "old kept notes"
        )
    assert retention(sessions, clock).changed == EXPECTED


def test_a_longer_period_reaches_fewer_rows(world, sessions, clock):
    assert retention(sessions, clock, days=400).total == 0
    assert retention(sessions, clock, days=10).total == 16


@pytest.mark.parametrize(
    ("days", "message"),
    [(None, "C360_RETENTION_DAYS_NOTES"), (0, "at least 1"), (-5, "at least 1")],
)
def test_a_missing_or_bad_period_is_a_clear_error(world, sessions, clock, days, message):
    with pytest.raises(DomainError, match=message):
        retention(sessions, clock, days=days)
