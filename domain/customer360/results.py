"""The shapes of the 360 view's sections (pydantic, so the tool layer can embed them as they are)."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Preferences(Frozen):
    consent: dict[str, bool | None]  # per channel; None = never asked
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    language: str | None
    preferred_channel: str | None
    best_time_to_contact: str | None
    timezone: str


class FamilyEntry(Frozen):
    id: int
    name: str
    relationship: str
    date_of_birth: date | None
    anniversary_date: date | None
    next_birthday: date | None
    next_anniversary: date | None
    phone: str | None
    email: str | None
    gender: str | None
    profession: str | None


class Loyalty(Frozen):
    points_balance: int
    tier: str
    recent: list[dict]  # the latest point transactions


class OpportunitySummary(Frozen):
    count: int
    open_count: int
    open_value: float
    weighted_open_value: float  # value x probability over open deals
    won_count: int
    lost_count: int
    win_rate: float | None  # won / (won + lost); None before any deal closed
    average_deal_size: float | None  # mean value of won deals
    open: list[dict]


class TicketSummary(Frozen):
    open_count: int
    overdue_count: int
    average_csat: float | None
    tickets: list[dict]  # open ones first, then the latest closed


class BehaviourSummary(Frozen):
    most_viewed: list[dict]  # [{product_id, name, views, last_viewed_at}] over 90 days
    carts_30d: int  # add-to-cart events in the last 30 days
    wishlist_30d: int
    last_cart_at: datetime | None
    top_searches: list[dict]  # [{query, count}] over 90 days


class NoteEntry(Frozen):
    id: int
    text: str
    type: str
    pinned: bool
    author: str | None  # the user who wrote it; None for imported notes
    created_at: datetime


class NotesSection(Frozen):
    pinned: list[NoteEntry]  # newest first, up to 10
    latest: list[NoteEntry]  # the newest unpinned notes, up to 5
    count: int  # all notes of the customer


class FollowUpEntry(Frozen):
    interaction_id: int  # the contact that set it
    due_at: datetime
    set_at: datetime
    note: str | None
    set_by: str | None
    overdue: bool


class ConsentChannel(Frozen):
    channel: str
    opted_in: bool | None  # None: never asked (implied consent for one-to-one replies)
    since: datetime | None
    source: str | None
    reason: str | None
    changed_by: str | None
