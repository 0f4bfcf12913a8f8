"""Dates, times and durations in what agents type, resolved against the business clock.

Library split: ``dateutil.relativedelta`` does all calendar arithmetic (next weekday, months,
end of month); ``dateutil.parser.isoparse`` reads ISO dates; the spans themselves are found
by the token patterns below (dateutil's fuzzy parser guesses too freely for free chat text).

Rules (``now`` is Friday 2026-11-20 in the examples):
- "today"/"ajke" = today; "tomorrow"/"kal" = tomorrow, but "kal" followed by a past-tense verb
  ("kal call dilam") is yesterday; "porshu" = the day after tomorrow; "yesterday"/"gotokal".
- "Friday" = the next Friday strictly after today (on a Friday: a week later, 2026-11-27);
  "this Friday" = the next Friday on or after today; "next Friday" = the Friday of next week
  (weeks start on Monday), "last Friday" = the previous one. Banglish weekday names work too.
- "next week" = next Monday; "next month" = the 1st of next month; "end of month" = its last day;
  "weekend" = the coming Friday (Bangladesh's weekend); "end of the week" = Thursday.
- "in 3 days", "3 din pore", "after 2 weeks", "a month later"; "3 days ago" is in the past.
- "on the Nth" = the next Nth of a month (this month's if not yet passed); "Mon D", "D Mon",
  "2/12" (day/month, as written in Bangladesh), "22-11-1990", "1990-11-22". A date with no
  year is the next such day on or after today (a birthday given without a year keeps no year).
- Times: "at 5pm", "17:00", "5 ta", "5 baje"; a bare 1-7 means p.m.; "shokal"/"morning" 10:00,
  "dupur"/"noon" 13:00, "bikel"/"afternoon" 16:00, "shondha"/"evening" 18:00, "raat"/"night" 20:00.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from agent.offline.lexicon import NUMBER_WORDS
from agent.offline.slots.durations import read_duration
from agent.offline.text import Token

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {
    **dict.fromkeys(["monday", "mon", "sombar", "shombar"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "mongolbar", "mongalbar"], 1),
    **dict.fromkeys(["wednesday", "wed", "budhbar", "budbar", "budhbar"], 2),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "brihospotibar", "bishudbar", "brihosptibar"], 3),
    **dict.fromkeys(["friday", "fri", "shukrobar", "sukrobar", "jummabar"], 4),
    **dict.fromkeys(["saturday", "sat", "shonibar", "sonibar"], 5),
    **dict.fromkeys(["sunday", "sun", "robibar", "rabibar"], 6),
}
_SHORT_WEEKDAYS = {"sat", "sun", "wed", "mon"}  # also ordinary words: need "on"/"this"/"next" before
TODAY = {"today", "ajke", "aaj", "aj", "ajk", "aajke", "tonight", "ajkei", "ajker", "aajker", "todays"}
TOMORROW = {"tomorrow", "tmrw", "tmr", "tomoro", "kal", "kalke", "kaal", "agamikal", "kalkei", "kalker", "kaalker"}
DAY_AFTER = {"porshu", "porshudin", "poshu", "porsu", "porsho"}
YESTERDAY = {"yesterday", "gotokal", "gatokal", "ystrday"}
PAST_VERBS = {"dilam", "korlam", "korsilam", "korechilam", "holo", "hoyechilo", "chilo", "bollam",
              "hoise", "disi", "korsi", "called", "spoke", "talked", "met", "visited", "was", "did"}
FUTURE_WORDS = {"dibo", "korbo", "debo", "hobe", "will", "callback", "back", "abar", "again", "remind",
                "follow", "jabe", "ashbe", "asbe"}
PARTS_OF_DAY = {
    **dict.fromkeys(["morning", "shokal", "sokal", "sokale", "shokale"], 10),
    **dict.fromkeys(["noon", "midday", "dupur", "dupure", "lunchtime"], 13),
    **dict.fromkeys(["afternoon", "bikel", "bikele", "bikale", "bikaley", "bikeley"], 16),
    **dict.fromkeys(["evening", "shondha", "sondha", "sondhay", "shondhay", "shondhya", "sandhya",
                     "sondhya"], 18),
    **dict.fromkeys(["night", "tonight", "raat", "rat", "raate", "rater"], 20),  # not "rate": an ordinary English word
}
_HOUR_MARKERS = {"ta", "tay", "tar", "baje", "oclock", "o'clock", "pm", "am"}
_DAY_UNITS = {
    **dict.fromkeys(["day", "days", "din", "dine", "diner"], "days"),
    **dict.fromkeys(["week", "weeks", "soptaho", "hopta", "saptah", "sopta"], "weeks"),
    **dict.fromkeys(["month", "months", "mash", "mas", "masher"], "months"),
    **dict.fromkeys(["fortnight", "fortnights"], "fortnights"),
}
_IN_DAYS = {"days": 1, "weeks": 7, "months": 30, "fortnights": 14}
_DURATION_UNITS = {
    **dict.fromkeys(["sec", "secs", "second", "seconds"], 1),
    **dict.fromkeys(["min", "mins", "minute", "minutes", "minit", "m"], 60),
    **dict.fromkeys(["hour", "hours", "hr", "hrs", "ghonta", "h"], 3600),
}
VOCABULARY = set(MONTHS) | set(WEEKDAYS) | TODAY | TOMORROW | DAY_AFTER | YESTERDAY | set(PARTS_OF_DAY) \
    | set(_DAY_UNITS) | set(_DURATION_UNITS) | {"weekend", "fortnight"}


@dataclass
class DateMention:
    start: int
    end: int
    day: date
    has_year: bool = True
    time: time | None = None
    cue: str = ""  # the word that set it: "born", "anniversary", ... (filled by the caller)


@dataclass
class Temporal:
    dates: list[DateMention] = field(default_factory=list)
    loose_time: tuple[int, time] | None = None  # a time with no date: (token index, time)
    duration_seconds: int | None = None
    window_days: int | None = None
    used: set[int] = field(default_factory=set)


def _number(norm: str, token: Token | None = None) -> int | None:
    if token is not None and token.kind == "num" and isinstance(token.value, int):
        return token.value
    return NUMBER_WORDS.get(norm)


def _next_dom(today: date, day: int) -> date | None:
    """The next date on or after today whose day of month is ``day``."""
    for months in range(13):
        candidate = today + relativedelta(months=months, day=1)
        if day <= calendar.monthrange(candidate.year, candidate.month)[1]:
            candidate = candidate.replace(day=day)
            if candidate >= today:
                return candidate
    return None


def _next_anniversary(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _year(value: int) -> int:
    return value if value >= 100 else (2000 + value if value <= 40 else 1900 + value)


def weekday_date(today: date, weekday: int, modifier: str | None) -> date:
    """Resolve a weekday name; see the module docstring for what "this" / "next" / "last" mean."""
    if modifier in {"last", "previous", "goto", "gotho"}:
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    if modifier in {"this", "ei", "coming", "upcoming"}:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    plain = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if modifier in {"next", "agami", "porer", "shamner"}:
        next_monday = today + relativedelta(days=1, weekday=0)
        return plain if plain >= next_monday else plain + timedelta(days=7)
    return plain


def extract_temporal(tokens: list[Token], now: datetime) -> Temporal:
    """Every date, time, duration and look-ahead window in the tokens (positions they used in ``used``)."""
    today = now.date()
    norms = [t.norm for t in tokens]
    out = Temporal()
    times: list[tuple[int, int, time, bool]] = []
    i = 0
    n = len(tokens)

    def at(k: int) -> str:
        return norms[k] if 0 <= k < n else ""

    while i < n:
        tok, w = tokens[i], norms[i]
        consumed = 0
        # absolute dates
        if tok.kind == "isodate":
            try:
                out.dates.append(DateMention(i, i + 1, isoparse(tok.text).date()))
            except ValueError:
                pass
            consumed = 1
        elif tok.kind == "numdate":
            parts = [int(p) for p in tok.text.replace("/", "-").replace(".", "-").split("-")]
            mention = _day_month(today, parts[0], parts[1], _year(parts[2]) if len(parts) > 2 else None, i, i + 1)
            if mention:
                out.dates.append(mention)
            consumed = 1
        elif tok.kind in {"num", "ordinal"} and isinstance(tok.value, int) and 1 <= tok.value <= 31 and (
            at(i + 1) in MONTHS or (at(i + 1) == "of" and at(i + 2) in MONTHS)
        ):
            month_at = i + 1 if at(i + 1) in MONTHS else i + 2
            year, end = _trailing_year(tokens, month_at + 1)
            begin = i
            if year is None:
                year, begin = _leading_year(tokens, i)
            mention = _day_month(today, tok.value, MONTHS[norms[month_at]], year, begin, end)
            if mention:
                out.dates.append(_in_story(mention, norms, today))
            consumed = end - i
        elif w in MONTHS and (day_at := i + 2 if at(i + 1) == "." else i + 1) < n \
                and tokens[day_at].kind in {"num", "ordinal"} \
                and isinstance(tokens[day_at].value, int) and 1 <= tokens[day_at].value <= 31:
            # month first ("Dec 5", "March 3rd", "Dec. 5th")
            year, end = _trailing_year(tokens, day_at + 1)
            mention = _day_month(today, tokens[day_at].value, MONTHS[w], year, i, end)
            if mention:
                out.dates.append(_in_story(mention, norms, today))
            consumed = end - i
        elif tok.kind == "ordinal" and at(i - 1) in {"the", "on", "by"}:
            day = _next_dom(today, tok.value)
            if day:
                out.dates.append(DateMention(i - 1 if at(i - 1) == "the" else i, i + 1, day, has_year=False))
            consumed = 1
        # relative days
        elif w in TODAY:
            out.dates.append(DateMention(i, i + 1, today))
            if w == "tonight":
                times.append((i, i + 1, time(20, 0), True))
            consumed = 1
        elif w in TOMORROW:
            past = w in {"kal", "kaal", "kalke", "kalker", "kaalker"} and _reads_past(norms, i)
            out.dates.append(DateMention(i, i + 1, today + timedelta(days=-1 if past else 1)))
            consumed = 1
        elif w in DAY_AFTER or (w == "day" and at(i + 1) == "after" and at(i + 2) == "tomorrow"):
            consumed = 1 if w in DAY_AFTER else 3
            out.dates.append(DateMention(i, i + consumed, today + timedelta(days=2)))
        elif w in YESTERDAY or (w == "day" and at(i + 1) == "before" and at(i + 2) == "yesterday"):
            consumed = 1 if w in YESTERDAY else 3
            out.dates.append(DateMention(i, i + consumed, today - timedelta(days=1 if w in YESTERDAY else 2)))
        elif w == "last" and at(i + 1) == "night":
            out.dates.append(DateMention(i, i + 2, today - timedelta(days=1)))
            times.append((i, i + 2, time(20, 0), True))
            consumed = 2
        elif w in WEEKDAYS and (w not in _SHORT_WEEKDAYS or at(i - 1) in {"on", "this", "next", "by", "till", "until", "last"}):
            modifier = at(i - 1) if at(i - 1) in {"this", "next", "last", "coming", "upcoming", "ei", "agami",
                                                   "porer", "shamner", "previous"} else None
            start = i - 1 if modifier else i
            if modifier is None and (_told_in_past(norms, i) or _told_after(norms, i)):
                modifier = "last"  # a weekday in a story told in the past tense is the last one
            out.dates.append(DateMention(start, i + 1, weekday_date(today, WEEKDAYS[w], modifier)))
            consumed = 1
        elif w in {"next", "agami", "porer"} and at(i + 1) in {"week", "soptaho", "hopta"}:
            out.dates.append(DateMention(i, i + 2, today + relativedelta(days=1, weekday=0)))
            consumed = 2
        elif w in {"next", "agami", "porer"} and at(i + 1) in {"month", "mash", "mas"}:
            out.dates.append(DateMention(i, i + 2, today + relativedelta(months=1, day=1)))
            consumed = 2
        elif (w == "end" and at(i + 1) == "of") or (w in {"month", "mash", "masher"} and at(i + 1) in {"end", "shesh", "sheshe"}):
            span = [k for k in range(i, min(i + 4, n)) if norms[k] in {"end", "of", "the", "this", "month", "week",
                                                                      "mash", "masher", "shesh", "sheshe"}]
            last = max(span)
            if "week" in norms[i:last + 1]:
                out.dates.append(DateMention(i, last + 1, weekday_date(today, 3, "this")))
            elif any(x in norms[i:last + 1] for x in ("month", "mash", "masher")):
                out.dates.append(DateMention(i, last + 1, today + relativedelta(day=31)))
            consumed = last + 1 - i
        elif w == "weekend":
            out.dates.append(DateMention(i - 1 if at(i - 1) == "the" else i, i + 1, weekday_date(today, 4, "this")))
            consumed = 1
        # windows: "this week", "next 10 days", "this month"
        if not consumed:
            consumed = _window(norms, tokens, i, today, out)
        if not consumed:
            consumed = _offset(norms, tokens, i, now, out, times)
        if not consumed:
            consumed = _time_or_duration(norms, tokens, i, out, times)
        if consumed:
            out.used.update(range(i, i + consumed))
            i += consumed
        else:
            i += 1
    for mention in out.dates:
        out.used.update(range(mention.start, mention.end))
    _attach_times(out, times)
    return out


# verbs that tell what already happened; a bare weekday after one of them is in the past
TOLD_VERBS = {"met", "called", "visited", "spoke", "talked", "came", "had", "went", "was", "were", "did", "bought",
              "ordered", "paid", "phoned", "rang", "messaged", "texted", "emailed", "whatsapped", "saw", "dropped",
              "happened", "dilam", "korlam", "korsilam", "eshechilo", "ashchilo", "kinse", "kineche", "hoyechilo",
              "chilo", "holo", "bollam", "disi", "korsi", "korse", "dise"}


def _told_in_past(norms: list[str], i: int) -> bool:
    """A past-tense verb in the eight words before position ``i`` (same clause), no word of the future between
    ("had a meeting with <two-word name> on <weekday>" puts the verb seven words back)."""
    for k in range(i - 1, max(-1, i - 9), -1):
        if norms[k] in FUTURE_WORDS or norms[k] in {",", ";", ".", "but", "and"}:
            return False
        if norms[k] in TOLD_VERBS:
            return True
    return False


def _in_story(mention: DateMention, norms: list[str], today: date) -> DateMention:
    """A day and month without a year, told in the past tense ("met him on <month> <day>"), is the
    last such day, not the next one; a birthday or a plan keeps the next one."""
    if mention.has_year or mention.day <= today:
        return mention
    if not (_told_in_past(norms, mention.start) or _told_after(norms, mention.end - 1)):
        return mention
    for back in range(1, 5):
        try:
            earlier = mention.day.replace(year=mention.day.year - back)
        except ValueError:  # 29 February
            continue
        if earlier <= today:
            mention.day = earlier
            return mention
    return mention


def _told_after(norms: list[str], i: int) -> bool:
    """ "on <weekday> I called her": a past-tense verb just after the weekday, in the same clause, and
    no word of the future before it (in "call back <weekday>, he was busy" the comma ends the clause)."""
    before = norms[max(0, i - 6): i]
    if any(w in FUTURE_WORDS for w in before):
        return False
    for k in range(i + 1, min(len(norms), i + 5)):
        if norms[k] in FUTURE_WORDS or norms[k] in {",", ";", ".", "but", "and"}:
            return False
        if norms[k] in TOLD_VERBS:
            return True
    return False


def _reads_past(norms: list[str], i: int) -> bool:
    ahead = norms[i + 1: i + 6]
    return any(w in PAST_VERBS for w in ahead) and not any(w in FUTURE_WORDS for w in ahead)


_YEAR_LEADS = {"er", "sal", "saler", "shal", "shaler", "in", "of", ","}


def _trailing_year(tokens: list[Token], k: int) -> tuple[int | None, int]:
    """The year written after a day and month: "1990", or two digits ("12 March 82") that are no hour or count."""
    j = k + 1 if k < len(tokens) and tokens[k].norm in {",", "'"} else k
    if j < len(tokens) and tokens[j].kind == "num" and isinstance(tokens[j].value, int):
        value, after = tokens[j].value, (tokens[j + 1].norm if j + 1 < len(tokens) else "")
        if 1900 <= value <= 2100:
            return value, j + 1
        unit = after in _HOUR_MARKERS or after in _DURATION_UNITS or after in _DAY_UNITS or after in {":", "jon", "pcs"}
        if len(tokens[j].text) == 2 and not unit:
            return _year(value), j + 1
    return None, k


def _leading_year(tokens: list[Token], start: int) -> tuple[int | None, int]:
    """A four-digit year written before the day and month (Banglish "1962 er 3 August"): (year, its index)."""
    k = start - 1
    while k >= 0 and tokens[k].norm in _YEAR_LEADS and start - k <= 2:
        k -= 1
    if 0 <= k < start and tokens[k].kind == "num" and isinstance(tokens[k].value, int) and 1900 <= tokens[k].value <= 2100:
        return tokens[k].value, k
    return None, start


def _day_month(today: date, day: int, month: int, year: int | None, start: int, end: int) -> DateMention | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is None:
        resolved = _next_anniversary(today, month, day)
        return DateMention(start, end, resolved, has_year=False) if resolved else None
    try:
        return DateMention(start, end, date(year, month, day))
    except ValueError:
        return None


def _window(norms: list[str], tokens: list[Token], i: int, today: date, out: Temporal) -> int:
    w = norms[i]
    nxt = norms[i + 1] if i + 1 < len(norms) else ""
    if w in {"this", "ei"} and nxt in {"week", "soptaho", "hopta"}:
        out.window_days = 7
        return 2
    if w in {"this", "ei"} and nxt in {"month", "mash"}:
        out.window_days = (today + relativedelta(day=31) - today).days + 1
        return 2
    if w in {"next", "coming", "upcoming", "within", "agami"} and i + 2 < len(norms):
        count = _number(nxt, tokens[i + 1])
        unit = _DAY_UNITS.get(norms[i + 2])
        if count and unit:
            out.window_days = count * _IN_DAYS[unit]
            return 3
    return 0


def _offset(norms: list[str], tokens: list[Token], i: int, now: datetime, out: Temporal,
            times: list[tuple[int, int, time, bool]]) -> int:
    """Offsets from now: "in N days", "after N weeks", "N din pore", "N days ago", "in N hours"."""
    w, today = norms[i], now.date()
    lead = w in {"in", "after", "within"}
    k = i + 1 if lead else i
    if k < len(norms) and norms[k] == "a" and k + 1 < len(norms) and norms[k + 1] in {"couple", "few"}:
        count, k = (2 if norms[k + 1] == "couple" else 3), k + 2
        if k < len(norms) and norms[k] == "of":
            k += 1
    else:
        count = _number(norms[k], tokens[k]) if k < len(norms) else None
        k += 1
    if not count or k >= len(norms):
        return 0
    unit = _DAY_UNITS.get(norms[k])
    tail = norms[k + 1] if k + 1 < len(norms) else ""
    if unit is None and norms[k] in {"hour", "hours", "ghonta"} and (lead or tail in {"pore", "later"}):
        moment = now + timedelta(hours=count)
        if moment.date() == today:
            out.dates.append(DateMention(i, i, today))
        times.append((i, k + 1, moment.time().replace(second=0, microsecond=0), False))
        return k + 1 - i + (1 if tail in {"pore", "later"} else 0)
    if unit is None:
        return 0
    sign, end = 0, k + 1
    if lead and w != "within":
        sign = 1
    elif tail in {"pore", "later", "por"} or (tail == "from" and k + 2 < len(norms) and norms[k + 2] == "now"):
        sign, end = 1, k + (3 if tail == "from" else 2)
    elif tail in {"ago", "age", "agey"}:
        sign, end = -1, k + 2
    if not sign:
        return 0
    if unit == "fortnights":
        unit, count = "weeks", 2 * count
    out.dates.append(DateMention(i, end, today + relativedelta(**{unit: sign * count})))
    return end - i


def _time_or_duration(norms: list[str], tokens: list[Token], i: int, out: Temporal,
                      times: list[tuple[int, int, time, bool]]) -> int:
    tok, w = tokens[i], norms[i]
    nxt = norms[i + 1] if i + 1 < len(norms) else ""
    duration = read_duration(tokens, i)  # first: "1:30 hrs" is a length, not a time of day
    if duration is not None:
        out.duration_seconds = duration[0]
        return duration[1] - i
    if tok.kind == "time":
        times.append((i, i + 1, _clock(tok.norm), False))
        return 1
    if tok.kind == "num" and isinstance(tok.value, int) and (nxt in _HOUR_MARKERS or (i and norms[i - 1] == "at")):
        if 0 <= tok.value <= 23:
            hour = tok.value
            meridiem = nxt if nxt in {"am", "pm"} else None
            times.append((i, i + (2 if nxt in _HOUR_MARKERS else 1), _hour(hour, 0, meridiem), False))
            return 2 if nxt in _HOUR_MARKERS else 1
    if w in PARTS_OF_DAY:
        times.append((i, i + 1, time(PARTS_OF_DAY[w], 0), True))
        return 1
    return 0


def _clock(text: str) -> time:
    compact = text.replace(" ", "").replace(".", ":").lower()
    meridiem = "pm" if "p" in compact else ("am" if "a" in compact else None)
    digits = compact.rstrip("apm:")
    hour, _, minute = digits.partition(":")
    return _hour(int(hour), int(minute or 0), meridiem)


def _hour(hour: int, minute: int, meridiem: str | None) -> time:
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif meridiem is None and 1 <= hour <= 7:
        hour += 12  # nobody books a customer call at 5 in the morning
    return time(min(hour, 23), min(minute, 59))


def _attach_times(out: Temporal, times: list[tuple[int, int, time, bool]]) -> None:
    """Merge a part of day with an hour ("bikel 4 ta"), then give each time to the nearest date."""
    merged: list[tuple[int, time, bool]] = []
    for start, end, moment, is_part in sorted(times):
        out.used.update(range(start, end))
        if merged and start - merged[-1][0] <= 3 and merged[-1][2] != is_part:
            hour_like, part = (merged[-1][1], moment) if is_part else (moment, merged[-1][1])
            if part.hour >= 16 and hour_like.hour < 12:
                hour_like = hour_like.replace(hour=hour_like.hour + 12)
            elif part.hour == 10 and hour_like.hour >= 13:
                hour_like = hour_like.replace(hour=hour_like.hour - 12)
            merged[-1] = (merged[-1][0], hour_like, False)
        else:
            merged.append((start, moment, is_part))
    # each date takes its nearest time (closest pairs first), leftovers become a loose time
    pairs = sorted(
        (min(abs(d.start - position), abs(d.end - 1 - position)), t, k)
        for t, (position, _, _) in enumerate(merged) for k, d in enumerate(out.dates)
    )
    taken_times: set[int] = set()
    for distance, t, k in pairs:
        if distance <= 6 and t not in taken_times and out.dates[k].time is None:
            out.dates[k].time = merged[t][1]
            taken_times.add(t)
    for t, (position, moment, _) in enumerate(merged):
        if t not in taken_times and out.loose_time is None:
            out.loose_time = (position, moment)
