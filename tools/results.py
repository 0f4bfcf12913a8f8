"""What tools return: a structured result with a short plain-text rendering, or a structured error."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field


class ToolResult(BaseModel):
    """Base of every tool's result. ``text`` is the short rendering shown to the model and in the CLI."""

    ok: Literal[True] = True
    text: str = ""
    replayed: bool = False  # True when an idempotency key returned the first call's result


class Candidate(BaseModel):
    """One of several records a reference could mean; the model shows these and asks which."""

    id: int
    name: str
    city: str | None = None
    last_contact: str | None = None  # ISO date of the last interaction
    phone: str | None = None  # as the acting user may see it (``tools.access.contact_phone``)
    kind: str = "customer"  # customer, dropoff, product
    detail: str | None = None  # what tells it apart when name and city do not (a drop-off's cart)


class ToolError(BaseModel):
    """A failure the model can read and recover from; never an exception escaping to the caller."""

    ok: Literal[False] = False
    error: str  # not_found, ambiguous, invalid, forbidden, conflict, unknown_tool, internal
    message: str
    field: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)

    @property
    def text(self) -> str:
        if not self.candidates:
            return f"{self.error}: {self.message}"
        lines = [f"{self.error}: {self.message}"]
        for c in self.candidates:
            where = f", {c.city}" if c.city else ""
            last = (f", {c.phone}" if c.phone else "") + (f", last contact {c.last_contact}" if c.last_contact else "")
            detail = f" ({c.detail})" if c.detail else ""
            label = "" if c.kind == "customer" else f"{c.kind} "
            lines.append(f"  {label}#{c.id} {c.name}{detail}{where}{last}")
        return "\n".join(lines)


def to_payload(outcome: ToolResult | ToolError) -> dict[str, Any]:
    """JSON-ready dict of a result or error, always with ``ok`` and ``text``."""
    payload = outcome.model_dump(mode="json")
    payload["text"] = outcome.text
    return payload


def local_iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """An aware datetime as ISO 8601 in the business time zone, to the minute."""
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment is not None else None


def utc_iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC: how audit rows store times, whatever zone they came in."""
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None
