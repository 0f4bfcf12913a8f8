"""Timeline filters of a 360 question: "since <month>", "between <day> and <day> <month>", "last week",
"last 5 calls", "orders only", "her WhatsApp history" -> get_360's since / until / timeline_types /
timeline_limit.

Dates here look back: a day or month named without a year is the most recent one on or before
today ("since October" on 2026-11-25 is 2026-10-01). "last week" = the past 7 days, "last month"
= the past 30 days, "last 3 months" = 3 calendar months back, "this month" / "this year" = from
its first day. A kind of record ("orders", "calls", "complaints") filters the timeline only when
the message also focuses on it (a date range, a count, "only", "history", ...), so "show Rahim's
last order" still gets the whole view.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from agent.offline.slots.dates import MONTHS
from agent.offline.slots import Slots

_SINCE = {"since", "from", "after", "theke", "starting"}
_UNTIL = {"until", "till", "til", "before", "upto", "porjonto"}
KINDS = {
    **dict.fromkeys(["order", "orders", "purchase", "purchases", "bought", "buying", "kena", "kenakata"], "order"),
    **dict.fromkeys(["call", "calls", "interaction", "interactions", "conversation", "conversations", "talked",
                     "spoke", "contact", "contacts", "messages", "chats", "whatsapp", "sms", "emails",
                     "meetings", "visits", "kotha"], "interaction"),
    **dict.fromkeys(["ticket", "tickets", "complaint", "complaints", "support", "issues"], "ticket"),
    **dict.fromkeys(["cart", "carts", "dropoff", "dropoffs", "abandoned"], "dropoff"),
    **dict.fromkeys(["note", "notes"], "note"),
    **dict.fromkeys(["browsing", "views", "viewed", "behaviour", "behavior", "clicks"], "behavior"),
}
_FOCUS = {"only", "just", "history", "timeline", "all", "every", "list", "shudhu", "sudhu"}
_RECENT = {"last", "latest", "recent", "past", "sesh", "shesh"}


def timeline_filters(slots: Slots, now: datetime) -> dict[str, Any]:
    """get_360 arguments narrowing the timeline (empty when the message asks for the whole view)."""
    today = now.date()
    norms = slots.norms
    args: dict[str, Any] = {}
    since, until = _range(slots, today)
    if since:
        args["since"] = since.isoformat()
    if until:
        args["until"] = until.isoformat()
    limit = _count(slots)
    if limit:
        args["timeline_limit"] = limit
    kinds = []
    for word in norms:
        kind = KINDS.get(word)
        if kind and kind not in kinds:
            kinds.append(kind)
    if kinds and (args or _FOCUS & set(norms)):
        args["timeline_types"] = kinds
    return args


def _past(day: date, has_year: bool, today: date) -> date:
    return day - relativedelta(years=1) if not has_year and day > today else day


def _month_start(k: int, norms: list[str], today: date) -> date | None:
    """The first day of the month named at ``k`` ("October", "last month", "this year", "2025")."""
    word = norms[k] if k < len(norms) else ""
    nxt = norms[k + 1] if k + 1 < len(norms) else ""
    if word == "the":
        return _month_start(k + 1, norms, today)
    if word in MONTHS:
        first = date(today.year, MONTHS[word], 1)
        return first if first <= today else first - relativedelta(years=1)
    if word in {"this", "ei"} and nxt in {"month", "mash"}:
        return today.replace(day=1)
    if word in {"this", "ei"} and nxt in {"year", "bochor", "bochhor"}:
        return today.replace(month=1, day=1)
    if word == "last" and nxt in {"month", "mash"}:
        return today - timedelta(days=30)
    if word == "last" and nxt in {"week", "soptaho", "hopta"}:
        return today - timedelta(days=7)
    if word.isdigit() and 1990 <= int(word) <= today.year:
        return date(int(word), 1, 1)
    return None


def _range(slots: Slots, today: date) -> tuple[date | None, date | None]:
    norms = slots.norms
    starts = {d.start: d for d in slots.temporal.dates}
    since = until = None
    for k, word in enumerate(norms):
        target = k + 1 + (1 if k + 1 < len(norms) and norms[k + 1] == "the" else 0)
        mention = starts.get(target)
        if word == "between" and mention is None and target < len(norms):
            # "between D1 and D2 <month>": the first day borrows the second's month and year
            tok = slots.tokens[target]
            closing = next((d for d in slots.temporal.dates if d.start > target), None)
            if tok.kind in {"num", "ordinal"} and isinstance(tok.value, int) and closing and 1 <= tok.value <= 31:
                end = _past(closing.day, closing.has_year, today)
                try:
                    since, until = end.replace(day=tok.value), end
                except ValueError:
                    pass
                continue
        if word in _SINCE | {"between"}:
            if mention is not None:
                since = _past(mention.day, mention.has_year, today)
            else:
                since = _month_start(k + 1, norms, today) or since
        elif mention is not None and (word in _UNTIL or (
                word == "and" and since and until is None and "between" in norms[:k])):
            until = _past(mention.day, mention.has_year, today)
    if since is None:
        for k, word in enumerate(norms):
            if word in {"last", "past", "this", "ei"} and k + 1 < len(norms):
                if norms[k + 1] in {"week", "month", "year", "soptaho", "hopta", "mash", "bochor"}:
                    since = _month_start(k, norms, today)
                    break
                unit = norms[k + 2] if k + 2 < len(norms) else ""
                count = slots.tokens[k + 1].value if slots.tokens[k + 1].kind == "num" else None
                if isinstance(count, int) and unit in {"days", "din", "weeks", "months", "mash"}:
                    key = {"din": "days", "mash": "months"}.get(unit, unit)
                    since = today - relativedelta(**{key: count})
                    break
    return since, until


def _count(slots: Slots) -> int | None:
    """How many timeline items: "last N <kind>", "latest N <kind>"."""
    norms, tokens = slots.norms, slots.tokens
    for k, tok in enumerate(tokens):
        if tok.kind == "num" and isinstance(tok.value, int) and 1 <= tok.value <= 100 and k + 1 < len(norms):
            before = norms[k - 1] if k else ""
            if before in _RECENT and (norms[k + 1] in KINDS or norms[k + 1] in {"items", "events", "entries",
                                                                                 "things", "records"}):
                return tok.value
    return None
