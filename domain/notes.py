"""Notes on a customer: what an agent wants the next person to know, attributed to its author.

Rules written here:

* ``text`` is required and at most ``MAX_NOTE_CHARS`` characters once surrounding space is trimmed.
* ``type`` is one of ``NOTE_TYPES``; rows imported or generated before these types existed keep
  their own (``general``, ``preference``) and are shown as they are.
* A pinned note stays at the top of the 360 view until it is unpinned; any number may be pinned.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import DomainError
from domain.interactions import lock_customer
from domain.models import Note, User

MAX_NOTE_CHARS = 4000
NOTE_TYPES = ("internal", "follow_up", "reminder", "complaint", "compliment")


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    type: str
    pinned: bool
    author: str | None
    created_at: datetime


def clean_note_text(text: str | None) -> str:
    """The note's text trimmed, or an error naming ``text`` when it is empty or too long."""
    clean = (text or "").strip()
    if not clean:
        raise DomainError("text is required: what the note should say", field="text")
    if len(clean) > MAX_NOTE_CHARS:
        raise DomainError(
            f"text is {len(clean):,} characters; a note holds at most {MAX_NOTE_CHARS:,}. "
            "Shorten it or split it into two notes",
            field="text",
        )
    return clean


def check_note_type(note_type: str | None) -> str:
    value = "_".join((note_type or "internal").strip().lower().replace("-", " ").split())
    if value not in NOTE_TYPES:
        raise DomainError(
            f"type {note_type!r} is not a note type; use one of: {', '.join(NOTE_TYPES)}",
            field="type",
        )
    return value


def add_note(
    session: Session,
    customer_id: int,
    *,
    text: str,
    note_type: str = "internal",
    pinned: bool = False,
    author_id: int | None,
    now: datetime,
) -> Note:
    """Validate and add one note; returns the flushed row (the caller commits)."""
    body = clean_note_text(text)
    kind = check_note_type(note_type)
    customer = lock_customer(session, customer_id)
    note = Note(customer_id=customer.id, author_id=author_id, type=kind, body=body,
                pinned=bool(pinned), created_at=now)
    session.add(note)
    session.flush()
    return note


def customer_notes(session: Session, customer_id: int, *, limit: int = 20,
                   pinned: bool | None = None) -> list[NoteView]:
    """A customer's notes, newest first, with their authors' names."""
    query = (
        select(Note.id, Note.body, Note.type, Note.pinned, User.name, Note.created_at)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.customer_id == customer_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    )
    if pinned is not None:
        query = query.where(Note.pinned.is_(pinned))
    return [NoteView(*row) for row in session.execute(query)]
