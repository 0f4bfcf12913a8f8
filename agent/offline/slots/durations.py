"""How long a contact lasted: "20 min", "1h30m", "an hour and a half", "half an hour", "৪৫ মিনিট".

The tokens are read as a run of (number, unit) parts, joined by spaces, "and" or nothing
("1h30m" is four tokens); the run is rewritten in canonical words ("1 hours 30 minutes") and
``pytimeparse2`` adds it up. A part after "in" / "after" / "within" is a moment ahead (a
follow-up), not a duration: ``agent.offline.slots.dates`` reads those first.
"""
from __future__ import annotations

from pytimeparse2 import parse as parse_duration

from agent.offline.slots.numbers import number_at
from agent.offline.text import Token

UNITS = {
    **dict.fromkeys(["sec", "secs", "second", "seconds", "s"], "seconds"),
    **dict.fromkeys(["min", "mins", "minute", "minutes", "minit", "m"], "minutes"),
    **dict.fromkeys(["hour", "hours", "hr", "hrs", "ghonta", "h"], "hours"),
}
_GLUED = {"s", "m", "h"}  # one-letter units count only written against the number: "30m", not "30 m"
_AHEAD = {"in", "after", "within"}


def read_duration(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(seconds, end) of a duration starting at token ``i``, or None."""
    if i and tokens[i - 1].norm in _AHEAD:
        return None
    clock = _clock_hours(tokens, i)
    if clock is not None:
        return clock
    parts: list[str] = []
    k = i
    while k < len(tokens):
        if tokens[k].norm == "half" and k + 2 < len(tokens) and tokens[k + 1].norm in {"an", "a"} \
                and UNITS.get(tokens[k + 2].norm) == "hours":
            parts.append("30 minutes")  # "half an hour"
            k += 3
            continue
        number = number_at(tokens, k, quantities=True)
        if number is None or number[1] >= len(tokens):
            break
        value, unit_at = number
        unit_tok = tokens[unit_at]
        unit = UNITS.get(unit_tok.norm)
        if unit is None or (unit_tok.norm in _GLUED and unit_tok.start != tokens[unit_at - 1].end):
            break
        if value == 1 and tokens[k].norm in {"a", "an"} and unit == "seconds":
            break  # "a second": an ordinal or a filler, never a length
        parts.append(f"{value:g} {unit}")
        k = unit_at + 1
        half = _half_at(tokens, k)
        if half:
            parts.append(f"{_HALF[unit]}")  # "an hour and a half", "an hour and half", "1 ghonta half"
            k += half
        elif k + 1 < len(tokens) and tokens[k].norm == "and" and number_at(tokens, k + 1, quantities=True):
            k += 1  # "1 hour and 20 minutes": the next part follows
        elif unit == "hours" and _bare_minutes(tokens, k):
            parts.append(f"{tokens[k].value} minutes")  # "1 hr 30": the number after the hours is minutes
            k += 1
            break
    if not parts:
        return None
    end = k if tokens[k - 1].norm != "and" else k - 1
    seconds = parse_duration(" ".join(parts))
    return (int(round(seconds)), end) if seconds else None


_HALF = {"hours": "30 minutes", "minutes": "30 seconds", "seconds": "0 seconds"}
_NOT_MINUTES = {"ta", "tay", "baje", "pm", "am", "oclock", "jon", "pcs", "piece", "pieces", "taka", "tk", "%"}


def _half_at(tokens: list[Token], k: int) -> int:
    """How many tokens say "and a half" / "and half" / "half" right after a unit (0: none)."""
    norms = [t.norm for t in tokens[k:k + 3]]
    for phrase in (["and", "a", "half"], ["and", "half"], ["half"]):
        if norms[:len(phrase)] == phrase:
            return len(phrase)
    return 0


def _bare_minutes(tokens: list[Token], k: int) -> bool:
    """A plain number under 60 after "N hours", with no unit of its own after it: the minutes."""
    if k >= len(tokens) or tokens[k].kind != "num" or not isinstance(tokens[k].value, int):
        return False
    after = tokens[k + 1].norm if k + 1 < len(tokens) else ""
    return 0 < tokens[k].value < 60 and after not in UNITS and after not in _NOT_MINUTES


def _clock_hours(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """ "1:30 hrs": hours and minutes written as a clock, then an hours unit."""
    tok = tokens[i]
    if tok.kind != "time" or i + 1 >= len(tokens) or UNITS.get(tokens[i + 1].norm) != "hours":
        return None
    hours, _, minutes = tok.text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()) or int(minutes) >= 60:
        return None
    return int(hours) * 3600 + int(minutes) * 60, i + 2
