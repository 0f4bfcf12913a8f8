"""Logs never hold phone numbers, emails or message text, and every line a request causes carries its id."""

from __future__ import annotations

import asyncio
import io
import logging
import threading

import pytest
from sqlalchemy import create_engine, text

from domain.logs import (
    FORMAT,
    PrivacyFilter,
    configure_logging,
    current_ids,
    install,
    log_context,
    mask_text,
    message_text,
    new_request_id,
    uninstall,
)

log = logging.getLogger("c360.test.logs")

PHONES = [
    "01712-345678",
    "01712345678",
    "+880 1712 345678",
    "+8801712345678",
    "8801712345678",
    "+44 20 7946 0958",
    "(202) 555-0143",
    "+1 415 555 2671",
    "0044 20 7946 0958",
    "017 1234 5678",
]
EMAILS = ["rahim@example.com", "Sarah.Uddin+crm@mail.example.co.uk"]


@pytest.fixture(autouse=True)
def cleaning():
    install()
    yield
    uninstall()


@pytest.fixture
def caplog_info(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_never_reach_a_log_line(caplog_info, phone):
    log.info("calling %s now", phone)
    log.warning(f"customer gave {phone} in a message")  # formatted by the caller: still masked
    assert phone not in caplog_info.text
    assert caplog_info.text.count("[phone]") == 2


@pytest.mark.parametrize("email", EMAILS)
def test_emails_never_reach_a_log_line(caplog_info, email):
    log.info("mail %s", email)
    assert email not in caplog_info.text and "mail [email]" in caplog_info.text


def test_dates_times_ids_and_amounts_are_left_alone():
    text = "at 2026-11-20 10:30:00+06:00 (2026-11-20T04:30:00Z) customer #42 paid 4500.00 in 12.5 s, order 1234567"
    assert mask_text(text) == text


def test_message_text_is_removed_wherever_it_is_passed(caplog_info):
    said = "amar number 01712345678, ami kettle ta chai"
    log.info("incoming %s", message_text(said))
    log.info(
        "request options: %s",
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": said}]},
    )
    log.info("payload %r", {"customer": 4, "notes": said, "incoming_message": said})

    class HumanMessage:
        def __init__(self, content):
            self.content = content

    log.info("turn %s", HumanMessage(said))
    assert said not in caplog_info.text and "kettle" not in caplog_info.text
    lines = [r.getMessage() for r in caplog_info.records]
    assert lines == [
        f"incoming [message text: {len(said)} chars]",
        "request options: {'model': 'gpt-4o-mini', 'messages': '[text removed: 1 items]'}",
        f"payload {{'customer': 4, 'notes': '[text removed: {len(said)} chars]', "
        f"'incoming_message': '[text removed: {len(said)} chars]'}}",
        f"turn [HumanMessage: {len(said)} chars]",
    ]


def test_exceptions_are_masked_too(caplog_info):
    try:
        raise ValueError("'01712345678' is not valid for rahim@example.com")
    except ValueError:
        log.exception("import failed")
    assert "01712345678" not in caplog_info.text and "rahim@example.com" not in caplog_info.text
    assert "ValueError: '[phone]' is not valid for [email]" in caplog_info.text


def test_sql_parameters_are_hidden(caplog_info):
    caplog_info.set_level(logging.INFO, logger="sqlalchemy.engine")
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE people (name TEXT, phone TEXT, notes TEXT)"))
            conn.execute(
                text("INSERT INTO people VALUES (:name, :phone, :notes)"),
                {"name": "Rahim Uddin", "phone": "+8801712345678", "notes": "wants a kettle"},
            )
    finally:
        engine.dispose()
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    sql = [r.getMessage() for r in caplog_info.records if r.name.startswith("sqlalchemy.engine")]
    assert any(line.startswith("INSERT INTO people") for line in sql)
    assert any("[parameters hidden]" in line for line in sql)
    assert not any(secret in caplog_info.text for secret in ("Rahim", "8801712345678", "kettle"))


def test_every_line_of_a_request_carries_its_ids(caplog_info):
    with log_context(request_id="req-1"):
        log.info("request begins")
        with log_context(turn_id="turn-7"):
            log.info("agent turn")
            logging.getLogger("tools.registry").warning("a tool failed")
        log.info("request ends")
    log.info("between requests")
    ids = [(r.request_id, r.turn_id, r.log_ids) for r in caplog_info.records]
    assert ids == [
        ("req-1", "-", "req=req-1"),
        ("req-1", "turn-7", "req=req-1 turn=turn-7"),
        ("req-1", "turn-7", "req=req-1 turn=turn-7"),
        ("req-1", "-", "req=req-1"),
        ("-", "-", "-"),
    ]
    assert current_ids() == {}


def test_concurrent_requests_keep_their_own_ids(caplog_info):
    barrier = threading.Barrier(4)

    def request(n: int) -> None:
        with log_context(request_id=f"thread-{n}"):
            barrier.wait()
            for step in range(20):
                log.info("thread %d step %d", n, step)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def task(n: int) -> None:
        with log_context(request_id=f"task-{n}"):
            for step in range(5):
                await asyncio.sleep(0)
                log.info("task %d step %d", n, step)

    async def main() -> None:
        await asyncio.gather(*(task(n) for n in range(3)))

    asyncio.run(main())
    records = [r for r in caplog_info.records if r.name == log.name]
    assert len(records) == 95
    for r in records:
        kind, n = r.getMessage().split()[:2]
        assert r.request_id == f"{kind}-{n}"


def test_configured_handler_prints_ids_and_strips_extra_text(capsys):
    handler = configure_logging("INFO")
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        with log_context(request_id="abc123"):
            log.info("drafted reply for %s", "+8801712345678", extra={"notes": "private words"})
        line = stream.getvalue()
        assert line.rstrip().endswith("INFO c360.test.logs [req=abc123] drafted reply for [phone]")
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
        record.notes = "private words"
        PrivacyFilter().filter(record)
        assert record.notes == "[text removed: 13 chars]"
    finally:
        logging.getLogger().removeHandler(handler)
    assert "%(log_ids)s" in FORMAT


def test_log_context_refuses_unknown_fields_and_ids_are_short():
    with pytest.raises(TypeError, match="request_id, turn_id"), log_context(customer="Rahim"):
        pass
    rid = new_request_id()
    assert len(rid) == 12 and rid != new_request_id()
