"""Is every number and date in a piece of LLM text backed by the facts it was given?

``ungrounded(text, facts)`` lists what is not: dates (ISO, "27 Nov", "November 27th"), weekdays,
clock times, and plain numbers ("3", "4,500", "73%", "4.5k", "three"). A number matches a fact when
it equals it, or equals it rounded to the precision written, or is it as a percentage. Empty list:
the text may be shown; otherwise the caller uses its deterministic text instead.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MONTHS = {m: i for i, names in enumerate([
    (), ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")]) for m in names}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "twice": 2, "thrice": 3}

_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?(?:,?\s+(\d{{4}}))?\b", re.I)
MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b|\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\s*(am|pm)?\b", re.I)
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(%|k\b)?", re.I)
WORD_NUMBER = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
PLACEHOLDER = re.compile(r"\[(?:PHONE|EMAIL)_\d+\]")


@dataclass
class Facts:
    numbers: set[float] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    times: set[tuple[int, int]] = field(default_factory=set)
    words: str = ""  # every fact string, lower case, for weekday names written in the facts


def collect_facts(facts: Any) -> Facts:
    """Every number, date and time found in a JSON-like value (strings are read too)."""
    out = Facts()
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            out.numbers.add(float(value))
        elif isinstance(value, (datetime, date)):
            texts.append(value.isoformat())
        elif isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                walk(item)
        else:
            texts.append(str(value))

    walk(json.loads(json.dumps(facts, default=str)))
    for text in texts:
        found = _scan(text, out_dates=True)
        out.dates |= found.dates
        out.times |= found.times
        out.numbers |= found.numbers
    out.words = " ".join(texts).lower()
    for day in list(out.dates):  # the parts of a fact date are facts too ("in 2026", "the 27th")
        out.numbers |= {float(day.year), float(day.day)}
    return out


@dataclass
class _Scan:
    dates: set[date] = field(default_factory=set)
    partial: list[tuple[int, int, int | None, str]] = field(default_factory=list)  # (month, day, year, raw)
    times: set[tuple[int, int]] = field(default_factory=set)
    weekdays: list[str] = field(default_factory=list)
    numbers: set[float] = field(default_factory=set)
    raw_numbers: list[tuple[float, int, bool, str]] = field(default_factory=list)  # value, decimals, percent, raw


def _scan(text: str, out_dates: bool = False) -> _Scan:
    found = _Scan()
    text = PLACEHOLDER.sub(" ", text)

    def blank(match: re.Match) -> str:
        return " " * len(match.group(0))

    def iso(match: re.Match) -> str:
        try:
            found.dates.add(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            found.partial.append((0, 0, None, match.group(0)))
        if match[4]:
            found.times.add((int(match[4]), int(match[5])))
        return blank(match)

    def month_day(match: re.Match) -> str:
        key = match[1].lower()
        found.partial.append((MONTHS.get(key, MONTHS.get(key[:3])), int(match[2]),
                              int(match[3]) if match[3] else None, match.group(0)))
        return blank(match)

    def clock(match: re.Match) -> str:
        hour = int(match[1]) % 12 + (12 if (match[3] or "").lower() == "pm" else 0) if match[3] else int(match[1])
        found.times.add((hour, int(match[2])))
        return blank(match)

    text = ISO.sub(iso, text)
    text = DAY_MONTH.sub(lambda m: (found.partial.append((MONTHS.get(m[2].lower(), MONTHS.get(m[2].lower()[:3])),
                                                           int(m[1]), int(m[3]) if m[3] else None, m.group(0)))
                                    or blank(m)), text)
    text = MONTH_DAY.sub(month_day, text)
    text = CLOCK.sub(clock, text)
    if not out_dates:
        text = SLASH.sub(lambda m: (found.partial.append((int(m[2] or m[5]), int(m[1] or m[4]), None, m.group(0)))
                                    or blank(m)), text)
    found.weekdays = [w.lower() for w in WEEKDAY.findall(text)]
    for match in NUMBER.finditer(text):
        whole = float(match[1].replace(",", ""))
        decimals = len(match[2] or "")
        value = whole + (float("0." + match[2]) if match[2] else 0.0)
        suffix = (match[3] or "").lower()
        if suffix == "k":
            value *= 1000
        found.numbers.add(value)
        found.raw_numbers.append((value, decimals, suffix == "%", match.group(0).strip()))
    for match in WORD_NUMBER.finditer(text):
        value = float(NUMBER_WORDS[match[1].lower()])
        found.raw_numbers.append((value, 0, False, match.group(0)))
    for month, day, year, _raw in found.partial:
        if out_dates and month:
            try:
                found.dates.add(date(year or 2000, month, day))
            except ValueError:
                pass
    return found


def _number_ok(value: float, decimals: int, percent: bool, facts: Facts) -> bool:
    for fact in facts.numbers:
        candidates = [fact] + ([fact * 100] if percent else [])
        for candidate in candidates:
            if abs(candidate - value) < 1e-9 or round(candidate, decimals) == round(value, decimals):
                return True
    return False


def ungrounded(text: str, facts: Any) -> list[str]:
    """The numbers, dates, weekdays and times in ``text`` that the facts do not contain."""
    known = facts if isinstance(facts, Facts) else collect_facts(facts)
    found = _scan(text)
    problems: list[str] = []
    for day in found.dates:
        if day not in known.dates:
            problems.append(day.isoformat())
    for month, day, year, raw in found.partial:
        if not month or not any(d.month == month and d.day == day and (year is None or d.year == year)
                                for d in known.dates):
            # a slash date may be written either way round
            if not (month and any(d.month == day and d.day == month for d in known.dates) and "/" in raw):
                problems.append(raw)
    for hour, minute in found.times:
        if (hour, minute) not in known.times:
            problems.append(f"{hour:02d}:{minute:02d}")
    fact_weekdays = {WEEKDAYS[d.weekday()] for d in known.dates}
    for weekday in found.weekdays:
        if weekday not in fact_weekdays and weekday not in known.words:
            problems.append(weekday)
    for value, decimals, percent, raw in found.raw_numbers:
        if not _number_ok(value, decimals, percent, known):
            problems.append(raw)
    return problems
