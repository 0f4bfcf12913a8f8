"""``add_note``: a note on a customer, typed and maybe pinned, attributed to the acting user (write)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.notes import MAX_NOTE_CHARS, NOTE_TYPES, add_note as add_customer_note
from tools.context import ToolContext
from tools.gate import audit
from tools.registry import tool
from tools.resolve import CustomerRef, fold_enum, resolve_customer
from tools.results import ToolResult, local_iso, utc_iso

NoteType = Literal[NOTE_TYPES]  # type: ignore[valid-type]


class AddNoteArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    text: str = Field(description=f"The note, at most {MAX_NOTE_CHARS} characters.")
    type: NoteType = Field("internal", description="internal (default), follow_up, reminder, complaint or compliment.")
    pinned: bool = Field(False, description="true: keep it at the top of the customer's 360 view.")

    @field_validator("type", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        value = fold_enum(value)
        return value.replace("-", "_") if isinstance(value, str) else value


class NoteOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    text: str
    type: str
    pinned: bool
    author: str
    created_at: str


class AddNoteResult(ToolResult):
    note: NoteOut


@tool("write")
def add_note(ctx: ToolContext, session: Session, args: AddNoteArgs) -> AddNoteResult:
    """Add a note to a customer's profile: a preference, a warning, a reminder, a complaint or a compliment.

    Use it when the user wants something remembered about the customer that is not a contact
    ("add a note: prefers bKash, no cash on delivery"). It is not for logging a call or message
    (use log_interaction). The note is signed with the acting user's name; pinned notes stay at
    the top of the 360 view. Refuses an empty note or one over 4,000 characters.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    note = add_customer_note(session, customer.id, text=args.text, note_type=args.type, pinned=args.pinned,
                             author_id=ctx.actor.id, now=ctx.clock.now())
    audit(session, entity="note", entity_id=note.id, customer_id=customer.id, before=None,
          after={"id": note.id, "customer_id": customer.id, "author_id": ctx.actor.id, "type": note.type,
                 "text": note.body, "pinned": note.pinned, "created_at": utc_iso(note.created_at)})
    kind = note.type.replace("_", " ")
    text = (f"Added {'a pinned ' if note.pinned else 'an ' if kind[0] in 'aeiou' else 'a '}{kind} note to "
            f"{customer.name} (#{customer.id}), signed {ctx.actor.name}: \"{_short(note.body)}\"")
    return AddNoteResult(text=text, note=NoteOut(
        id=note.id, customer_id=customer.id, customer_name=customer.name, text=note.body, type=note.type,
        pinned=note.pinned, author=ctx.actor.name, created_at=local_iso(note.created_at, ctx.settings.tz)))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
