"""Each user's alert choices: which kinds, quiet hours (business-local time), a daily cap."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.errors import DomainError, NotFound
from domain.models import User
from domain.models.alerts import ALERT_KINDS, AlertPreference

_CLOCK = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


@dataclass(frozen=True)
class Preferences:
    kinds: frozenset[str] | None = None  # None: every kind
    quiet_start: time | None = None
    quiet_end: time | None = None
    daily_cap: int | None = None  # None: the setting's default


def preferences_of(session: Session, user_id: int) -> Preferences:
    row = session.get(AlertPreference, user_id)
    if row is None:
        return Preferences()
    return Preferences(frozenset(row.kinds) if row.kinds is not None else None, row.quiet_hours_start,
                       row.quiet_hours_end, row.daily_cap)


def kind_wanted(prefs: Preferences, kind: str) -> bool:
    return prefs.kinds is None or kind in prefs.kinds


def daily_cap_of(prefs: Preferences, default: int) -> int:
    return default if prefs.daily_cap is None else prefs.daily_cap


def quiet_until(prefs: Preferences, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (they may wrap midnight), or None."""
    if prefs.quiet_start is None or prefs.quiet_end is None or prefs.quiet_start == prefs.quiet_end:
        return None
    local = now.astimezone(zone)
    start, end, at = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def parse_kinds(value: str | None) -> list[str] | None:
    """"all" (or empty) = every kind; else a comma-separated list of known kinds."""
    if value is None or value.strip().lower() in ("", "all"):
        return None
    kinds = [k.strip().lower() for k in value.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in ALERT_KINDS]
    if unknown:
        raise DomainError(f"unknown alert kind {', '.join(unknown)}: use all, or any of {', '.join(ALERT_KINDS)}",
                          field="kinds")
    return [k for k in ALERT_KINDS if k in kinds]


def parse_quiet_hours(value: str | None) -> tuple[time, time] | None:
    """"22:00-08:00" (may wrap midnight); "off" or empty: none."""
    if value is None or value.strip().lower() in ("", "off", "none"):
        return None
    parts = value.split("-")
    matches = [_CLOCK.fullmatch(p) for p in parts] if len(parts) == 2 else []
    if not matches or not all(matches):
        raise DomainError(f"quiet hours {value!r}: use HH:MM-HH:MM, e.g. 21:00-08:00, or off", field="quiet_hours")
    start, end = (time(int(m.group(1)), int(m.group(2))) for m in matches)
    if start == end:
        raise DomainError("quiet hours must start and end at different times", field="quiet_hours")
    return start, end


_KEEP = object()


def set_preferences(session: Session, user_id: int, *, kinds=_KEEP, quiet_hours=_KEEP, daily_cap=_KEEP,
                    now: datetime) -> Preferences:
    """Change what is given (parsed text as from the CLI), keep the rest. The caller owns the transaction."""
    if session.get(User, user_id) is None:
        raise NotFound(f"there is no user #{user_id}", field="user")
    row = session.get(AlertPreference, user_id, with_for_update=True)
    if row is None:
        row = AlertPreference(user_id=user_id, updated_at=now)
        session.add(row)
    if kinds is not _KEEP:
        row.kinds = parse_kinds(kinds)
    if quiet_hours is not _KEEP:
        hours = parse_quiet_hours(quiet_hours)
        row.quiet_hours_start, row.quiet_hours_end = hours if hours else (None, None)
    if daily_cap is not _KEEP:
        if daily_cap is not None and (not isinstance(daily_cap, int) or daily_cap < 0):
            raise DomainError(f"daily cap {daily_cap!r}: use a whole number, 0 or more", field="daily_cap")
        row.daily_cap = daily_cap
    row.updated_at = now
    session.flush()
    return preferences_of(session, user_id)


def describe(prefs: Preferences, default_cap: int) -> dict:
    return {"kinds": sorted(prefs.kinds, key=ALERT_KINDS.index) if prefs.kinds is not None else "all",
            "quiet_hours": f"{prefs.quiet_start:%H:%M}-{prefs.quiet_end:%H:%M}" if prefs.quiet_start else "off",
            "daily_cap": daily_cap_of(prefs, default_cap)}
