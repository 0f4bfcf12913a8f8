"""Alert events: recorded once when a write or the daily refresh moves a customer across a
threshold, in the same transaction as the change, with their outbox rows (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.alerts import AlertRules, record_crossings
from domain.db import transaction
from domain.models import AlertBaseline, AlertDelivery, AlertEvent, AlertLatch, Customer, SupportTicket
from domain.orders import record_order
from domain.stats import refresh_derived, refresh_stats
from tests.conftest import DHAKA, NOW
from tests.factories import make_customer, make_dropoff, make_order, make_ticket, make_user

TODAY = NOW.date()
RULES = AlertRules(channel="CALERTS", webhook_urls=("http://127.0.0.1:9/hook",))


def survey(sessions, *, now=NOW, rules=RULES):
    """The daily refresh's part: everybody's scores, then everybody's crossings."""
    with transaction(sessions) as s:
        refresh_stats(s, now=now)
        refresh_derived(s, now.date(), tz=DHAKA)
        return [(e.customer_id, e.kind, e.subject) for e in
                record_crossings(s, None, today=now.date(), now=now, tz=DHAKA, source="refresh", rules=rules)]


def events(sessions):
    with sessions() as s:
        return [(e.customer_id, e.kind, e.subject, e.source) for e in s.scalars(select(AlertEvent).order_by(AlertEvent.id))]


def test_the_first_survey_is_a_baseline_that_announces_nothing(sessions):
    with transaction(sessions) as s:
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        big = make_customer(s, "Nasrin Sultana", assigned_to=rina)
        make_order(s, big, at=date(2026, 11, 1), amount=60000)
        make_ticket(s, big, at=date(2026, 11, 1), sla_due_at=date(2026, 11, 2))
    assert survey(sessions) == []
    with sessions() as s:
        assert set(s.scalars(select(AlertBaseline.kind))) == set(RULES.kinds)
        latched = {(k, subj) for k, subj in s.execute(select(AlertLatch.kind, AlertLatch.subject)
                                                       .where(AlertLatch.active))}
    assert ("vip", "") in latched and any(k == "sla_breached" for k, _ in latched)
    assert survey(sessions) == []  # nothing moved since


def test_a_write_that_makes_a_vip_records_one_event_with_its_deliveries(sessions):
    with transaction(sessions) as s:
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        rahim = make_customer(s, "Rahim Uddin", assigned_to=rina)
        make_order(s, rahim, at=date(2026, 10, 1), amount=30000)
        rahim_id = rahim.id
    survey(sessions)
    with transaction(sessions) as s:
        record_order(s, rahim_id, ordered_at=NOW - timedelta(hours=1), amount=25000, today=TODAY)
    found = events(sessions)
    assert [(k, src) for _, k, _, src in found] == [("vip", "write")]
    with sessions() as s:
        event = s.scalar(select(AlertEvent))
        assert "55,000 BDT" in event.reason and event.facts["order_count"] == 2
        assert event.day == TODAY
        deliveries = s.scalars(select(AlertDelivery).where(AlertDelivery.event_id == event.id)).all()
    # the write path reads settings: no webhooks configured there, the agent's DM only
    assert [(d.target, d.destination, d.status) for d in deliveries] == [("slack", "URINA", "pending")]
    with transaction(sessions) as s:  # another order the same day: still a VIP, nothing new
        record_order(s, rahim_id, ordered_at=NOW - timedelta(minutes=5), amount=1000, today=TODAY)
    assert len(events(sessions)) == 1


def test_a_write_rolled_back_leaves_no_event(sessions):
    with transaction(sessions) as s:
        rahim = make_customer(s, "Rahim Uddin")
        make_order(s, rahim, at=date(2026, 10, 1), amount=30000)
        rahim_id = rahim.id
    survey(sessions)
    with pytest.raises(RuntimeError):
        with transaction(sessions) as s:
            record_order(s, rahim_id, ordered_at=NOW - timedelta(hours=1), amount=25000, today=TODAY)
            assert s.scalar(select(func.count()).select_from(AlertEvent)) == 1
            raise RuntimeError("the write failed after the event")
    assert events(sessions) == []


def test_the_refresh_records_tickets_carts_and_ratings_once_each(sessions):
    with transaction(sessions) as s:
        karim = make_user(s, "Karim Hasan", slack_user_id="UKARIM")
        salma = make_customer(s, "Salma Begum", assigned_to=karim)
        lone = make_customer(s, "Jamal Mia")  # unassigned: the alert channel
        salma_id, lone_id = salma.id, lone.id
    survey(sessions)
    with transaction(sessions) as s:
        salma, lone = s.get(type(salma), salma_id), s.get(type(lone), lone_id)
        late = make_ticket(s, salma, "Broken kettle", at=date(2026, 11, 19),
                           sla_due_at=datetime(2026, 11, 20, 9, 0), priority="high")
        make_ticket(s, salma, "Wrong size", at=date(2026, 11, 19), sla_due_at=datetime(2026, 11, 21, 9, 0))
        make_ticket(s, lone, "Refund", at=date(2026, 11, 10), status="resolved", csat=1,
                    resolved_at=datetime(2026, 11, 19, 15, 0, tzinfo=DHAKA))
        make_ticket(s, lone, "Thanks", at=date(2026, 11, 10), status="resolved", csat=4,
                    resolved_at=datetime(2026, 11, 19, 15, 0, tzinfo=DHAKA))
        make_dropoff(s, lone, at=datetime(2026, 11, 20, 8, 0), stage="checkout_initiated", cart_value=7500)
        make_dropoff(s, salma, at=datetime(2026, 11, 20, 8, 0), stage="add_to_cart", cart_value=900)
        late_id = late.id
    recorded = survey(sessions)
    assert sorted((c, k) for c, k, _ in recorded) == sorted(
        [(salma_id, "sla_breached"), (lone_id, "low_csat"), (lone_id, "cart_abandoned")])
    assert (salma_id, "sla_breached", f"ticket:{late_id}") in recorded
    with sessions() as s:
        by_kind = {e.kind: e for e in s.scalars(select(AlertEvent))}
        assert by_kind["sla_breached"].reason.startswith(f"ticket #{late_id} (high priority) passed its SLA")
        assert by_kind["low_csat"].facts["csat"] == 1
        assert "7,500 BDT" in by_kind["cart_abandoned"].reason
        targets = sorted((d.target, d.destination) for d in s.scalars(select(AlertDelivery)))
    assert targets == sorted([("slack", "UKARIM"), ("slack", "CALERTS"), ("slack", "CALERTS")]
                             + [("webhook", "http://127.0.0.1:9/hook")] * 3)
    assert survey(sessions) == []  # still true an hour later: no news
    # the second ticket passes its SLA tomorrow: a new day, a new event
    tomorrow = NOW + timedelta(days=1)
    assert [k for _, k, _ in survey(sessions, now=tomorrow)] == ["sla_breached"]


def test_a_resolved_ticket_releases_its_latch_so_a_new_breach_is_news(sessions):
    with transaction(sessions) as s:
        c = make_customer(s, "Salma Begum")
        t = make_ticket(s, c, at=date(2026, 11, 1), sla_due_at=date(2026, 11, 25))
        ticket_id, c_id = t.id, c.id
    survey(sessions)
    later = NOW + timedelta(days=6)
    assert [k for _, k, _ in survey(sessions, now=later)] == ["sla_breached"]
    with transaction(sessions) as s:
        s.get(SupportTicket, ticket_id).status = "resolved"
    survey(sessions, now=later + timedelta(days=1))
    with sessions() as s:
        assert s.get(AlertLatch, (c_id, "sla_breached", f"ticket:{ticket_id}")).active is False
    with transaction(sessions) as s:  # reopened, breached again
        s.get(SupportTicket, ticket_id).status = "open"
    assert [k for _, k, _ in survey(sessions, now=later + timedelta(days=2))] == ["sla_breached"]


def test_churn_risk_turning_high_as_days_pass_is_recorded_by_the_refresh(sessions):
    with transaction(sessions) as s:
        c = make_customer(s, "Faruk Hossain", created_at=date(2025, 1, 1))
        for day in (date(2026, 7, 31), date(2026, 8, 30), date(2026, 9, 29), date(2026, 10, 29)):
            make_order(s, c, at=day, amount=2000)
        c_id = c.id
    assert survey(sessions) == []  # baseline: medium today
    with sessions() as s:
        assert s.get(AlertLatch, (c_id, "churn_high", "")) is None
    later = NOW + timedelta(days=60)
    recorded = survey(sessions, now=later)
    assert (c_id, "churn_high", "") in recorded
    with sessions() as s:
        event = s.scalar(select(AlertEvent).where(AlertEvent.kind == "churn_high"))
        assert event.facts["probability"] >= 0.6 and "no purchase for" in event.reason


def test_champions_joined(sessions):
    with transaction(sessions) as s:
        c = make_customer(s, "Mitu Akter")
        for k in range(6):
            make_order(s, c, at=date(2026, 9, 1) + timedelta(days=7 * k), amount=1000)
        c_id = c.id
    survey(sessions)
    with transaction(sessions) as s:  # the 7th order: F=4, and M reaches 4 at 2,500+
        record_order(s, c_id, ordered_at=NOW - timedelta(hours=2), amount=1500, today=TODAY)
    assert [(k) for _, k, _, _ in events(sessions)] == ["champions"]


def test_a_kind_turned_off_in_settings_is_not_recorded(sessions):
    with transaction(sessions) as s:
        c = make_customer(s, "Jamal Mia")
    survey(sessions)
    with transaction(sessions) as s:
        make_dropoff(s, s.get(type(c), c.id), at=datetime(2026, 11, 20, 8, 0), cart_value=9000)
    only_vip = AlertRules(kinds=frozenset({"vip"}))
    assert survey(sessions, rules=only_vip) == []
    assert [k for _, k, _ in survey(sessions)] == ["cart_abandoned"]


def test_concurrent_writes_record_the_crossing_once(sessions, engine):
    with transaction(sessions) as s:
        c = make_customer(s, "Rahim Uddin")
        make_order(s, c, at=date(2026, 10, 1), amount=49000)
        c_id = c.id
    survey(sessions)
    start, errors = threading.Barrier(4), []

    def write(k: int) -> None:
        try:
            start.wait()
            with transaction(sessions) as s:
                record_order(s, c_id, ordered_at=NOW - timedelta(minutes=10 + k), amount=2000, today=TODAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [k for _, k, _, _ in events(sessions)] == ["vip"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AlertDelivery)) == 0  # unassigned, no channel set


def test_erased_customers_hold_no_condition(sessions):
    with transaction(sessions) as s:
        c = make_customer(s, "Gone Away")
        make_dropoff(s, c, at=datetime(2026, 11, 20, 8, 0), cart_value=9000)
        c.status = "erased"
    survey(sessions)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AlertLatch)) == 0


def test_champions_scored_from_stats_agree_with_the_rfm_table(sessions):
    """The write path scores fixed-threshold RFM per buyer from customer_stats; it must name the same
    Champions as domain.rfm's SQL does, including the edges of each threshold."""
    from domain.alerts.conditions import Scope, champions
    from domain.enums import RfmSegment
    from domain.rfm import rfm_table

    with transaction(sessions) as s:
        for k, (orders, each, last_days) in enumerate([
            (7, 400, 30), (7, 400, 31), (6, 1000, 10), (7, 357.15, 5), (10, 500, 60), (7, 357, 0),
            (12, 5000, 61), (1, 90000, 1), (8, 800, 45),
        ]):
            c = make_customer(s, f"Buyer {k}")
            for n in range(orders):
                make_order(s, c, at=TODAY - timedelta(days=last_days + 20 * n), amount=each)
        refresh_stats(s, now=NOW)
        expected = {r.customer_id for r in rfm_table(s, TODAY, segment=RfmSegment.champions, tz=DHAKA)}
        found = champions(s, Scope(None, TODAY, NOW, DHAKA, AlertRules()))
        one_by_one = set()
        for cid in s.scalars(select(Customer.id)):
            one_by_one |= {c for c, _ in champions(s, Scope([cid], TODAY, NOW, DHAKA, AlertRules()))}
    assert expected and {c for c, _ in found} == expected == one_by_one


def test_writers_in_separate_processes_and_a_restart_record_the_crossing_once(db_url, sessions):
    """Writers with an engine each (as separate ``c360 serve`` processes would be) cross the VIP line at
    once, then a restarted process (a fresh engine) runs the daily survey again: still one event."""
    from domain.db import make_engine, session_factory

    with transaction(sessions) as s:
        c = make_customer(s, "Rahim Uddin")
        make_order(s, c, at=date(2026, 10, 1), amount=49000)
        c_id = c.id
    survey(sessions)
    engines = [make_engine(db_url) for _ in range(3)]
    start, errors = threading.Barrier(3), []

    def write(k: int) -> None:
        try:
            start.wait()
            with transaction(session_factory(engines[k])) as s:
                record_order(s, c_id, ordered_at=NOW - timedelta(minutes=10 + k), amount=2000, today=TODAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=write, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
    finally:
        for e in engines:
            e.dispose()
    restarted = make_engine(db_url)
    try:
        survey(session_factory(restarted), now=NOW + timedelta(hours=2))  # the same day, after a restart
    finally:
        restarted.dispose()
    assert [k for _, k, _, _ in events(sessions)] == ["vip"]
