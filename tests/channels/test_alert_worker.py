"""The alert outbox drained into the local fake Slack Web API and a local webhook receiver that checks
signatures by the documented scheme: retries with backoff, restarts, two workers, preferences."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time as wall
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from channels.alerts.worker import AlertWorker
from domain.alerts import AlertRules, record_crossings
from domain.alerts.outbox import claim
from domain.alerts.preferences import set_preferences
from domain.db import transaction
from domain.models import AlertDelivery, AlertDeliveryAttempt, Customer, User
from domain.settings import Settings
from tests.channels.fake_slack import FakeSlack, fake_slack  # noqa: F401  (fixture)
from tests.conftest import DHAKA, NOW
from tests.factories import make_customer, make_dropoff, make_user

HOOK_SECRET = "whsec-test-3c1f"


class Receiver:
    """A workflow tool's webhook endpoint, written from docs/alerts.md: it recomputes
    ``v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))`` and refuses anything else."""

    def __init__(self, secret: str) -> None:
        self.secret, self.received, self.rejected, self.fail_next = secret, [], 0, 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stamp = self.headers.get("X-C360-Request-Timestamp", "")
                expected = "v0=" + hmac.new(receiver.secret.encode(), b"v0:" + stamp.encode() + b":" + raw,
                                            hashlib.sha256).hexdigest()
                fresh = stamp.isdigit() and abs(wall.time() - int(stamp)) < 300
                with receiver.lock:
                    if not fresh or not hmac.compare_digest(expected, self.headers.get("X-C360-Signature", "")):
                        receiver.rejected += 1
                        code = 401
                    elif receiver.fail_next:
                        receiver.fail_next -= 1
                        code = 503
                    else:
                        receiver.received.append((dict(self.headers), json.loads(raw)))
                        code = 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/c360"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(HOOK_SECRET)
    yield r
    r.stop()


class Moment:
    """A clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def settings_for(db_url, tmp_path, fake: FakeSlack, receiver: Receiver | None, **overrides) -> Settings:
    values = dict(data_dir=tmp_path, database_url=db_url, timezone="Asia/Dhaka", slack_bot_token="xoxb-test",
                  slack_api_url=fake.api_url, alert_channel="CALERTS", alert_retry_seconds=30,
                  alert_lease_seconds=60)
    if receiver is not None:
        values.update(webhook_urls=receiver.url, webhook_secret=HOOK_SECRET)
    values.update(overrides)
    return Settings(_env_file=None, **values)


def carts(sessions, settings: Settings, n: int, *, assigned: bool = True, at: datetime = NOW) -> list[int]:
    """``n`` customers, each leaving a 9,000 BDT cart: one cart_abandoned event each."""
    rules = AlertRules.from_settings(settings)
    with transaction(sessions) as s:
        record_crossings(s, None, today=at.date(), now=at, tz=DHAKA, source="refresh", rules=rules)  # baseline
        rina = s.scalar(select(User).where(User.slack_user_id == "URINA")) or make_user(
            s, "Rina Akter", slack_user_id="URINA")
        ids = []
        for k in range(n):
            c = make_customer(s, f"Customer {k:03d}", assigned_to=rina if assigned else None)
            make_dropoff(s, c, at=at - timedelta(hours=1), stage="checkout_initiated", cart_value=9000)
            ids.append(c.id)
        events = record_crossings(s, None, today=at.date(), now=at, tz=DHAKA, source="refresh", rules=rules)
        assert len(events) == n
        return ids


def statuses(sessions) -> list[tuple[str, str]]:
    with sessions() as s:
        return sorted((d.target, d.status) for d in s.scalars(select(AlertDelivery)))


def test_an_event_reaches_the_agents_dm_as_a_card_and_every_webhook_signed(sessions, db_url, tmp_path,
                                                                            fake_slack, receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    [customer_id] = carts(sessions, settings, 1)
    worker = AlertWorker(settings, sessions, now=Moment(NOW))
    assert worker.run_once() == {"sent": 2}
    [opened] = fake_slack.of("conversations.open")
    assert opened.body["users"] == "URINA"
    [posted] = fake_slack.of("chat.postMessage")
    assert posted.body["channel"] == "DURINA"
    blocks = posted.body["blocks"]
    assert blocks[0]["type"] == "header" and "Big cart abandoned: Customer 000" in blocks[0]["text"]["text"]
    assert "9,000 BDT" in json.dumps(blocks) and "checkout initiated" in json.dumps(blocks)
    buttons = {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert [b["action_id"] for b in buttons.values()] == ["c360_open_360", "c360_log_call", "c360_draft_whatsapp"]
    assert json.loads(buttons["Draft reply"]["value"]) == {"c": customer_id, "n": "Customer 000",
                                                          "o": "the cart they left"}
    [(headers, body)] = receiver.received
    assert receiver.rejected == 0
    assert body["type"] == "cart.abandoned_high_value" and body["customer"]["id"] == customer_id
    assert body["facts"]["cart_value"] == 9000 and headers["X-C360-Event"] == "cart.abandoned_high_value"
    assert headers["X-C360-Idempotency-Key"] == body["delivery"]
    assert statuses(sessions) == [("slack", "sent"), ("webhook", "sent")]
    assert worker.run_once() == {}  # nothing is sent twice
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AlertDeliveryAttempt)
                        .where(AlertDeliveryAttempt.ok)) == 2


def test_unassigned_customers_go_to_the_alert_channel(sessions, db_url, tmp_path, fake_slack):
    settings = settings_for(db_url, tmp_path, fake_slack, None)
    carts(sessions, settings, 2, assigned=False)
    AlertWorker(settings, sessions, now=Moment(NOW)).run_once()
    assert [c.body["channel"] for c in fake_slack.of("chat.postMessage")] == ["CALERTS", "CALERTS"]
    assert "unassigned" in json.dumps(fake_slack.of("chat.postMessage")[0].body["blocks"])
    assert fake_slack.of("conversations.open") == []


def test_a_failing_webhook_is_retried_with_backoff_until_it_answers(sessions, db_url, tmp_path, fake_slack,
                                                                      receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    carts(sessions, settings, 1)
    receiver.fail_next = 2
    clock = Moment(NOW)
    worker = AlertWorker(settings, sessions, now=clock)
    assert worker.run_once() == {"sent": 1, "pending": 1}  # Slack went; the webhook answered 503
    with sessions() as s:
        hook = s.scalar(select(AlertDelivery).where(AlertDelivery.target == "webhook"))
        first_pause = (hook.next_attempt_at - NOW).total_seconds()
        assert 30 <= first_pause <= 45 and "HTTP 503" in hook.last_error
    assert worker.run_once() == {}  # not due yet
    clock.at = NOW + timedelta(seconds=first_pause + 1)
    assert worker.run_once() == {"pending": 1}
    with sessions() as s:
        hook = s.scalar(select(AlertDelivery).where(AlertDelivery.target == "webhook"))
        second_pause = (hook.next_attempt_at - clock.at).total_seconds()
    assert second_pause > first_pause  # it backs off
    clock.at += timedelta(seconds=second_pause + 1)
    assert worker.run_once() == {"sent": 1}
    assert len(receiver.received) == 1 and receiver.rejected == 0
    with sessions() as s:
        tries = s.scalars(select(AlertDeliveryAttempt.status_code).join(
            AlertDelivery, AlertDelivery.id == AlertDeliveryAttempt.delivery_id)
            .where(AlertDelivery.target == "webhook").order_by(AlertDeliveryAttempt.number)).all()
    assert tries == [503, 503, 204]


def test_a_wrong_secret_fails_for_good_and_is_logged(sessions, db_url, tmp_path, fake_slack, receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver, webhook_secret="not-the-receivers")
    carts(sessions, settings, 1)
    AlertWorker(settings, sessions, now=Moment(NOW)).run_once()
    assert receiver.rejected == 1 and receiver.received == []
    assert statuses(sessions) == [("slack", "sent"), ("webhook", "failed")]


def test_slack_errors_retry_and_a_missing_channel_fails(sessions, db_url, tmp_path, fake_slack):
    settings = settings_for(db_url, tmp_path, fake_slack, None)
    carts(sessions, settings, 1, assigned=False)
    fake_slack.fail["chat.postMessage"] = "internal_error"
    clock = Moment(NOW)
    worker = AlertWorker(settings, sessions, now=clock)
    assert worker.run_once() == {"pending": 1}
    fake_slack.fail["chat.postMessage"] = "channel_not_found"
    clock.at = NOW + timedelta(hours=1)
    assert worker.run_once() == {"failed": 1}
    with sessions() as s:
        assert "channel_not_found" in s.scalar(select(AlertDelivery.last_error))


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_its_lease(sessions, db_url, tmp_path,
                                                                           fake_slack, receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    carts(sessions, settings, 1)
    # a worker claims both rows and dies before sending anything
    dead = claim(sessions, worker="dead-worker", now=NOW, zone=DHAKA, lease_seconds=60)
    assert len(dead) == 2
    clock = Moment(NOW + timedelta(seconds=30))
    survivor = AlertWorker(settings, sessions, now=clock, name="survivor")
    assert survivor.run_once() == {}  # the lease still holds
    clock.at = NOW + timedelta(seconds=61)
    assert survivor.run_once() == {"sent": 2}
    assert len(fake_slack.of("chat.postMessage")) == 1 and len(receiver.received) == 1
    with sessions() as s:
        assert set(s.scalars(select(AlertDeliveryAttempt.worker))) == {"survivor"}
        assert set(s.scalars(select(AlertDelivery.attempts))) == {2}


def test_two_workers_never_send_one_delivery_twice(sessions, db_url, tmp_path, fake_slack, receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    carts(sessions, settings, 12)
    workers = [AlertWorker(settings, sessions, now=Moment(NOW), name=f"w{k}") for k in range(2)]
    start, counts = threading.Barrier(2), []

    def drain(worker: AlertWorker) -> None:
        start.wait()
        total = 0
        while sent := sum(worker.run_once(limit=3).values()):
            total += sent
        counts.append(total)

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 24
    posted = [c.body["text"] for c in fake_slack.of("chat.postMessage")]
    assert len(posted) == len(set(posted)) == 12
    keys = [h["X-C360-Idempotency-Key"] for h, _ in receiver.received]
    assert len(keys) == len(set(keys)) == 12
    assert statuses(sessions) == [("slack", "sent")] * 12 + [("webhook", "sent")] * 12


def test_quiet_hours_put_alerts_off_and_the_daily_cap_skips_the_rest(sessions, db_url, tmp_path, fake_slack):
    settings = settings_for(db_url, tmp_path, fake_slack, None, alert_daily_cap=2)
    evening = datetime(2026, 11, 20, 22, 15, tzinfo=DHAKA)
    carts(sessions, settings, 3, at=evening)
    with transaction(sessions) as s:
        user_id = s.scalar(select(Customer.assigned_to_id).where(Customer.assigned_to_id.is_not(None)))
        set_preferences(s, user_id, quiet_hours="21:30-08:00", now=evening)
    clock = Moment(evening)
    worker = AlertWorker(settings, sessions, now=clock)
    assert worker.run_once() == {} and fake_slack.of("chat.postMessage") == []
    with sessions() as s:
        due = set(s.scalars(select(AlertDelivery.next_attempt_at)))
    assert due == {datetime(2026, 11, 21, 8, 0, tzinfo=DHAKA)}
    clock.at = datetime(2026, 11, 21, 8, 1, tzinfo=DHAKA)
    assert worker.run_once() == {"sent": 2}
    assert statuses(sessions) == [("slack", "sent"), ("slack", "sent"), ("slack", "skipped")]
    with sessions() as s:
        assert s.scalar(select(AlertDelivery.last_error).where(AlertDelivery.status == "skipped")) == \
            "daily alert cap reached"


def test_a_kind_the_agent_turned_off_is_logged_as_skipped(sessions, db_url, tmp_path, fake_slack):
    settings = settings_for(db_url, tmp_path, fake_slack, None)
    with transaction(sessions) as s:
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        set_preferences(s, rina.id, kinds="vip,churn_high", now=NOW)
    carts(sessions, settings, 1)
    AlertWorker(settings, sessions, now=Moment(NOW)).run_once()
    assert fake_slack.of("chat.postMessage") == []
    with sessions() as s:
        row = s.scalar(select(AlertDelivery))
    assert row.status == "skipped" and "cart_abandoned alerts turned off by Rina Akter" == row.last_error


def test_preferences_refuse_bad_input_naming_the_field(sessions):
    from domain.errors import DomainError

    with transaction(sessions) as s:
        rina = make_user(s, "Rina Akter")
    for kwargs, field in (({"kinds": "vip,birthdays"}, "kinds"), ({"quiet_hours": "late"}, "quiet_hours"),
                          ({"daily_cap": -1}, "daily_cap")):
        with pytest.raises(DomainError) as err:
            with transaction(sessions) as s:
                set_preferences(s, rina.id, now=NOW, **kwargs)
        assert err.value.field == field


def test_a_worker_without_slack_leaves_slack_rows_waiting_in_the_outbox(sessions, db_url, tmp_path, fake_slack,
                                                                          receiver):
    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    carts(sessions, settings, 1)
    webhooks_only = AlertWorker(settings.model_copy(update={"slack_bot_token": None}), sessions, now=Moment(NOW))
    assert set(webhooks_only.senders) == {"webhook"}
    assert webhooks_only.run_once() == {"sent": 1}
    assert statuses(sessions) == [("slack", "pending"), ("webhook", "sent")]
    with sessions() as s:
        assert s.scalar(select(AlertDelivery.attempts).where(AlertDelivery.target == "slack")) == 0
    assert AlertWorker(settings, sessions, now=Moment(NOW)).run_once() == {"sent": 1}


def test_a_ticket_card_reads_the_subject_at_send_time_and_erasure_stops_delivery(sessions, db_url, tmp_path,
                                                                                 fake_slack, receiver):
    from domain.privacy import erase_customer
    from tests.factories import make_ticket

    settings = settings_for(db_url, tmp_path, fake_slack, receiver)
    rules = AlertRules.from_settings(settings)
    with transaction(sessions) as s:
        record_crossings(s, None, today=NOW.date(), now=NOW, tz=DHAKA, source="refresh", rules=rules)
        admin = make_user(s, "Ayesha Admin", role="admin")
        rina = make_user(s, "Rina Akter", slack_user_id="URINA")
        kept, gone = (make_customer(s, name, assigned_to=rina) for name in ("Salma Begum", "Jamal Mia"))
        for c in (kept, gone):
            make_ticket(s, c, "Kettle arrived broken", at=NOW - timedelta(days=2), sla_due_at=NOW - timedelta(hours=3))
        assert len(record_crossings(s, None, today=NOW.date(), now=NOW, tz=DHAKA, source="refresh",
                                    rules=rules)) == 2
        gone_id, admin_id = gone.id, admin.id
    with transaction(sessions) as s:
        erase_customer(s, gone_id, reason="asked in the shop", user_id=admin_id, now=NOW, request_id="r-erase")
    assert AlertWorker(settings, sessions, now=Moment(NOW)).run_once() == {"sent": 2}
    [card] = fake_slack.of("chat.postMessage")
    assert "Kettle arrived broken" in json.dumps(card.body["blocks"]) and "Salma Begum" in card.body["text"]
    assert [body["customer"]["name"] for _, body in receiver.received] == ["Salma Begum"]
    with sessions() as s:
        skipped = s.scalars(select(AlertDelivery.last_error).where(AlertDelivery.status == "skipped")).all()
    assert skipped == ["the customer was erased"] * 2


def test_serve_runs_the_worker_in_the_background(sessions, db_url, tmp_path, fake_slack, receiver):
    from types import SimpleNamespace

    from channels.cli.serve import start_alert_worker
    from domain.clock import Clock

    settings = settings_for(db_url, tmp_path, fake_slack, receiver, alert_poll_seconds=0.1)
    rt = SimpleNamespace(sessions=sessions, clock=Clock(tz=DHAKA, fixed=NOW))
    assert start_alert_worker(rt, settings.model_copy(update={"alert_worker": False})) is None
    assert start_alert_worker(rt, settings.model_copy(update={"slack_bot_token": None, "webhook_urls": ""})) is None
    worker = start_alert_worker(rt, settings)
    try:
        carts(sessions, settings, 1)  # recorded while the worker polls
        fake_slack.wait_for("chat.postMessage", 1, timeout=20)
        deadline = wall.monotonic() + 20
        while not receiver.received and wall.monotonic() < deadline:
            wall.sleep(0.05)
        assert len(receiver.received) == 1
    finally:
        worker.stop()


def test_two_workers_at_once_send_exactly_the_daily_cap(db_url, tmp_path, fake_slack):
    """Two workers, each with its own engine (as two processes would be), claiming at the same moment:
    the cap check and the claim are one atomic step, so together they send the cap, not one more."""
    from domain.db import make_engine, session_factory

    cap = 3
    settings = settings_for(db_url, tmp_path, fake_slack, None, alert_daily_cap=cap)
    engines = [make_engine(db_url) for _ in range(2)]
    try:
        carts(session_factory(engines[0]), settings, 10)
        workers = [AlertWorker(settings, session_factory(e), now=Moment(NOW), name=f"w{k}")
                   for k, e in enumerate(engines)]
        start, errors = threading.Barrier(2), []

        def drain(worker: AlertWorker) -> None:
            try:
                start.wait()
                while sum(worker.run_once(limit=2).values()):
                    pass
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        for trial in range(3):  # each round a fresh day's cap, raced again
            threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            assert len(fake_slack.of("chat.postMessage")) == cap * (trial + 1)
            with session_factory(engines[0])() as s:
                by_status = dict(s.execute(select(AlertDelivery.status, func.count())
                                           .group_by(AlertDelivery.status)).all())
            assert by_status.get("sent") == cap * (trial + 1)
            if trial < 2:  # the next day: the skipped ones go back in the queue against a new cap
                day = NOW + timedelta(days=trial + 1)
                for w in workers:
                    w.now = Moment(day)
                with transaction(session_factory(engines[0])) as s:
                    for row in s.scalars(select(AlertDelivery).where(AlertDelivery.status == "skipped")):
                        row.status, row.last_error, row.next_attempt_at = "pending", None, day
    finally:
        for e in engines:
            e.dispose()


def test_a_failed_try_gives_its_cap_slot_back_and_a_dead_workers_row_keeps_it(sessions, db_url, tmp_path,
                                                                               fake_slack):
    from domain.models import AlertDailyCount

    settings = settings_for(db_url, tmp_path, fake_slack, None, alert_daily_cap=2)
    carts(sessions, settings, 3)

    def taken() -> int:
        with sessions() as s:
            return s.scalar(select(AlertDailyCount.taken))

    dead = claim(sessions, worker="dead-worker", now=NOW, zone=DHAKA, lease_seconds=60, limit=1, default_cap=2)
    assert len(dead) == 1 and taken() == 1
    fake_slack.fail["chat.postMessage"] = "internal_error"
    clock = Moment(NOW)
    worker = AlertWorker(settings, sessions, now=clock, name="live")
    assert worker.run_once() == {"pending": 1}  # the one slot left, tried and given back; the third skipped
    assert taken() == 1
    assert statuses(sessions) == [("slack", "pending"), ("slack", "pending"), ("slack", "skipped")]
    del fake_slack.fail["chat.postMessage"]
    clock.at = NOW + timedelta(minutes=5)  # past the dead worker's lease and the retry's backoff
    assert worker.run_once() == {"sent": 2}  # the dead worker's row reuses its slot: no third slot taken
    assert taken() == 2
    assert statuses(sessions) == [("slack", "sent"), ("slack", "sent"), ("slack", "skipped")]
