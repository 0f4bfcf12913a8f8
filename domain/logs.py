"""Logging that never leaks personal data, and a request / turn id on every line a request causes.

* ``log_context(request_id=..., turn_id=...)``: a context manager that sets the ids for the code
  it wraps (a contextvar, so threads and asyncio tasks each see their own). Every record created
  inside carries ``request_id`` and ``turn_id`` attributes ("-" when unset) and ``log_ids``
  ("req=... turn=..."). Nested contexts add to the outer one.
* Every record is cleaned when it is created (a record factory, so even handlers installed by
  others, pytest's included, only ever see clean records): phone numbers (Bangladeshi and
  international forms) become ``[phone]``, email addresses ``[email]``, and message text is
  removed: arguments wrapped in ``message_text(...)``, message objects (anything with a string
  ``content``), values under text keys (``content``, ``messages``, ``notes``...) of dict and list
  arguments, and such keys passed as ``extra``. SQL parameters of SQLAlchemy's engine log are
  hidden. Exception text and stack info are masked too.
* ``configure_logging(level)``: one stderr handler with the ids in its format. Call it once at
  start-up (CLI, server, Slack app); ``install()`` alone cleans records without adding a handler.

Code that wants to log something about a message logs its length: ``message_text(text)`` renders
as ``[message text: 42 chars]``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

import phonenumbers

# Each context holds its own dict; it is replaced, never mutated, so no default is shared.
_IDS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "c360_log_ids", default=None
)
ID_FIELDS = ("request_id", "turn_id")
ID_LABELS = {"request_id": "req", "turn_id": "turn"}
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(log_ids)s] %(message)s"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Runs of 9 to 15 digits with the usual separators, with or without + or a (0) trunk: typo'd or
# partial numbers are still personal data. ISO dates and times are protected separately.
LOOSE_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[\s\-.()/]{0,2}\d){8,14}(?!\w)")
DATE_LIKE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
TEXT_KEYS = frozenset(
    {
        "content",
        "contents",
        "message",
        "messages",
        "text",
        "prompt",
        "input",
        "notes",
        "note",
        "body",
        "summary",
        "subject",
        "incoming_message",
        "query",
        "reason",
        "message_text",
        "reply",
        "draft",
        "blocks",
        "view",
        "attachments",
        "payload",
    }
)
# a URL-encoded token: %XX escapes or + for spaces (access log paths and query strings)
ENCODED = re.compile(r"[^\s\"']*(?:%[0-9A-Fa-f]{2}|=[^\s\"']*\+)[^\s\"']*")
# a request body dumped into a message (Slack's verification failure logs ", body: <the raw body>)")
BODY_DUMP = re.compile(r"\bbody: .*", re.S)
_CLEAN = "_c360_clean"


class message_text(str):
    """A piece of message text passed to a logger: it is logged as its length only."""

    def __str__(self) -> str:
        return f"[message text: {len(self)} chars]"

    __repr__ = __str__


def new_request_id() -> str:
    """A short random id for one request or turn."""
    return uuid.uuid4().hex[:12]


@contextmanager
def log_context(**ids: str | None) -> Iterator[dict[str, str]]:
    """Stamp ``request_id`` / ``turn_id`` on every log record created inside; restores on exit."""
    unknown = sorted(set(ids) - set(ID_FIELDS))
    if unknown:
        raise TypeError(f"log_context takes {', '.join(ID_FIELDS)}; not {', '.join(unknown)}")
    merged = {**(_IDS.get() or {}), **{k: str(v) for k, v in ids.items() if v is not None}}
    token = _IDS.set(merged)
    try:
        yield merged
    finally:
        _IDS.reset(token)


def bind_ids(**ids: str | None) -> contextvars.Token:
    """Stamp ids on every record from here until ``release_ids(token)``: for a unit of work whose
    start and end are not one ``with`` block (a generator, an ASGI middleware)."""
    unknown = sorted(set(ids) - set(ID_FIELDS))
    if unknown:
        raise TypeError(f"bind_ids takes {', '.join(ID_FIELDS)}; not {', '.join(unknown)}")
    merged = {**(_IDS.get() or {}), **{k: str(v) for k, v in ids.items() if v is not None}}
    return _IDS.set(merged)


def release_ids(token: contextvars.Token) -> None:
    """Undo ``bind_ids``; a no-op when the work finished in another context (a streamed turn
    resumed on another thread), where that context's ids end with it anyway."""
    try:
        _IDS.reset(token)
    except ValueError:
        pass


def current_ids() -> dict[str, str]:
    """The ids of the current context (empty outside any ``log_context``)."""
    return dict(_IDS.get() or {})


def current_request_id() -> str | None:
    return (_IDS.get() or {}).get("request_id")


# ------------------------------------------------------------------------------------ masking
def mask_text(text: str, region: str = "BD") -> str:
    """``text`` with emails as ``[email]`` and phone numbers as ``[phone]``, URL-encoded ones too;
    dates are left alone."""
    if not text:
        return text
    text = _mask_plain(text, region)
    return ENCODED.sub(lambda m: _mask_encoded(m.group(0), region), text)


def _mask_encoded(token: str, region: str) -> str:
    """A URL-encoded token, decoded (twice over at most: ``%2540``) and masked; the token as it was
    when its decoded form holds nothing to mask."""
    decoded = token
    decode = unquote_plus if "=" in token else unquote  # "+" is a space only in a query string
    for _ in range(2):
        once = decode(decoded)
        if once == decoded:
            break
        decoded = once
    masked = _mask_plain(decoded, region)
    if masked == decoded:
        return token
    return quote(masked, safe="/?&=[]:;,@!$'()*~")  # re-encoded: no decoded newline reaches the log


def _mask_plain(text: str, region: str) -> str:
    text = EMAIL.sub("[email]", text)
    protected: list[str] = []

    def hold(match: re.Match) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    work = DATE_LIKE.sub(hold, text)
    try:
        spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(work, region)]
    except Exception:  # noqa: BLE001  libphonenumber refuses odd input; the loose pattern still runs
        spans = []
    for start, end in reversed(spans):
        work = work[:start] + "[phone]" + work[end:]
    work = LOOSE_PHONE.sub("[phone]", work)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], work)


def _scrub(value: Any, depth: int = 0) -> Any:
    """A log argument without message text; containers are rebuilt, other values kept."""
    if isinstance(value, message_text):
        return str(value)
    if depth > 6:
        return "[...]"
    if isinstance(value, dict):
        return {
            k: (_removed(v) if k in TEXT_KEYS else _scrub(v, depth + 1)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v, depth + 1) for v in value)
    content = getattr(value, "content", None)
    if isinstance(content, str) and not isinstance(value, (str, bytes)):
        return f"[{type(value).__name__}: {len(content)} chars]"  # a chat message object
    return value


def _removed(value: Any) -> str:
    if isinstance(value, str):
        return f"[text removed: {len(value)} chars]"
    if isinstance(value, (list, tuple)):
        return f"[text removed: {len(value)} items]"
    return "[text removed]"


def _render(record: logging.LogRecord) -> str:
    args = record.args
    if args and record.name.startswith("sqlalchemy.engine"):
        # SQLAlchemy logs bound parameters (row values: names, phones, notes) as non-string args
        args = tuple(
            a if isinstance(a, str) else "[parameters hidden]"
            for a in (args if isinstance(args, tuple) else (args,))
        )
    elif isinstance(args, dict):
        args = _scrub(args)
    elif isinstance(args, tuple):
        args = tuple(_scrub(a) for a in args)
    msg = str(_scrub(record.msg))
    try:
        return msg % args if args else msg
    except (TypeError, ValueError, KeyError):  # a broken format string: keep the template only
        return msg


def clean_record(record: logging.LogRecord) -> logging.LogRecord:
    """Stamp the ids and remove personal data from ``record`` (in place; safe to repeat)."""
    for key in TEXT_KEYS & set(record.__dict__):  # passed as ``extra={"notes": ...}``
        value = record.__dict__[key]
        if not (isinstance(value, str) and value.startswith("[text removed")):
            record.__dict__[key] = _removed(value)
    if getattr(record, _CLEAN, False):
        return record
    ids = _IDS.get() or {}
    for name in ID_FIELDS:
        if getattr(record, name, None) in (None, ""):
            setattr(record, name, ids.get(name, "-"))
    record.log_ids = (
        " ".join(
            f"{ID_LABELS[n]}={getattr(record, n)}" for n in ID_FIELDS if getattr(record, n) != "-"
        )
        or "-"
    )
    record.msg, record.args = mask_text(BODY_DUMP.sub("body: [removed]", _render(record))), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    setattr(record, _CLEAN, True)
    return record


class PrivacyFilter(logging.Filter):
    """Cleans records on a handler: those made before ``install`` ran, and ``extra`` text keys
    (the logging module sets ``extra`` after the record factory has run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        clean_record(record)
        return True


_installed: list[Any] = []


def install() -> None:
    """Clean every log record at creation, whoever logs it and whichever handler receives it."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean_record(previous(*args, **kwargs))

    _installed.append(previous)
    logging.setLogRecordFactory(factory)


def uninstall() -> None:
    """Undo ``install`` (tests)."""
    if _installed:
        logging.setLogRecordFactory(_installed.pop())


def configure_logging(level: str | int = "INFO") -> logging.Handler:
    """Install the cleaning and one stderr handler with the ids in its format; returns the handler."""
    install()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_c360", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._c360 = True  # type: ignore[attr-defined]
    handler.addFilter(PrivacyFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    return handler
