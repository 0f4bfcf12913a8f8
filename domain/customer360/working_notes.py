"""The 360 view's working sections: pinned and latest notes with their authors, open follow-ups,
and consent per channel with when and why it was last decided. One query each, one customer."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from domain.customer360.results import ConsentChannel, FollowUpEntry, NoteEntry, NotesSection
from domain.enums import Channel, values
from domain.models import ChannelConsent, ConsentEvent, Interaction, Note, User

LATEST_NOTES = 5
PINNED_NOTES = 10
CID = bindparam("cid")


@cache
def statements() -> dict:
    author = User.__table__.alias("author")
    note_columns = (Note.id, Note.body, Note.type, Note.pinned, author.c.name, Note.created_at)
    return {
        "pinned": select(*note_columns).outerjoin(author, author.c.id == Note.author_id)
        .where(Note.customer_id == CID, Note.pinned.is_(True))
        .order_by(Note.created_at.desc(), Note.id.desc()).limit(PINNED_NOTES),
        "latest": select(*note_columns).outerjoin(author, author.c.id == Note.author_id)
        .where(Note.customer_id == CID, Note.pinned.is_(False))
        .order_by(Note.created_at.desc(), Note.id.desc()).limit(LATEST_NOTES),
        "count": select(func.count(Note.id)).where(Note.customer_id == CID),
        # the follow-up model lives on interactions today: an open one has a due time and no done time
        "follow_ups": select(Interaction.id, Interaction.follow_up_at, Interaction.occurred_at, Interaction.notes,
                             author.c.name)
        .outerjoin(author, author.c.id == Interaction.user_id)
        .where(Interaction.customer_id == CID, Interaction.follow_up_at.is_not(None),
               Interaction.follow_up_done_at.is_(None))
        .order_by(Interaction.follow_up_at, Interaction.id),
        "consent": select(ChannelConsent.channel, ChannelConsent.opted_in, ChannelConsent.updated_at)
        .where(ChannelConsent.customer_id == CID),
        "consent_log": select(ConsentEvent.channel, ConsentEvent.opted_in, ConsentEvent.source, ConsentEvent.reason,
                              author.c.name, ConsentEvent.occurred_at)
        .outerjoin(author, author.c.id == ConsentEvent.user_id)
        .where(ConsentEvent.customer_id == CID)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc()),
    }


def reads(customer_id: int) -> list:
    """Every read of the working sections for one customer, to send ahead in one round trip."""
    from domain.one_trip import Read

    s, cid = statements(), {"cid": customer_id}
    return [Read(s[name], cid) for name in ("pinned", "latest", "count", "follow_ups", "consent", "consent_log")]


def _note(row) -> NoteEntry:
    return NoteEntry(id=row[0], text=row[1], type=row[2], pinned=bool(row[3]), author=row[4], created_at=row[5])


def notes(conn, customer_id: int) -> NotesSection:
    s = statements()
    return NotesSection(
        pinned=[_note(r) for r in conn.execute(s["pinned"], {"cid": customer_id})],
        latest=[_note(r) for r in conn.execute(s["latest"], {"cid": customer_id})],
        count=conn.scalar(s["count"], {"cid": customer_id}) or 0,
    )


def open_follow_ups(conn, customer_id: int, now: datetime) -> list[FollowUpEntry]:
    return [FollowUpEntry(interaction_id=i, due_at=due, set_at=set_at, note=note, set_by=who, overdue=due < now)
            for i, due, set_at, note, who in conn.execute(statements()["follow_ups"], {"cid": customer_id})]


def consent_channels(conn, customer_id: int) -> list[ConsentChannel]:
    """Every channel: opted in, opted out or never asked, with the latest decision's source and reason."""
    s = statements()
    state = {ch: (bool(ok), at) for ch, ok, at in conn.execute(s["consent"], {"cid": customer_id})}
    last: dict[str, tuple] = {}
    for channel, opted_in, source, reason, who, at in conn.execute(s["consent_log"], {"cid": customer_id}):
        last.setdefault(channel, (source, reason, who, at))
    out = []
    for channel in values(Channel):
        opted, since = state.get(channel, (None, None))
        source, reason, who, at = last.get(channel, (None, None, None, None))
        out.append(ConsentChannel(channel=channel, opted_in=opted, since=at or since, source=source,
                                  reason=reason, changed_by=who))
    return out
