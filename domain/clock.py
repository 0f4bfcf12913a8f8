"""The product's notion of "now": the system clock, or a frozen instant for tests, evals and demos."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    """Business clock. ``fixed`` freezes it; every date rule takes a Clock (or a date) as a parameter."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Dhaka"))
    fixed: datetime | None = None

    def now(self) -> datetime:
        """Aware datetime in the business time zone."""
        if self.fixed is not None:
            moment = self.fixed if self.fixed.tzinfo else self.fixed.replace(tzinfo=self.tz)
            return moment.astimezone(self.tz)
        return datetime.now(timezone.utc).astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def localize(self, moment: datetime) -> datetime:
        """Read a naive datetime as business-local time; convert an aware one to it."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    @classmethod
    def from_settings(cls, settings) -> "Clock":
        return cls(tz=settings.tz, fixed=settings.now)
