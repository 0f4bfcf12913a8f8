"""After the run, with the server stopped: is every acknowledged write in the database exactly once,
for the right customer and user, and did nothing else the run proposed land?
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, text

from domain.db import is_sqlite, read_session, session_factory
from domain.models import Interaction
from evals.load.clients import UserRun

NOT_CHECKED = "not checked"


@dataclass
class WriteCheck:
    """The writes the clients were told about against the rows the database holds."""

    proposed: int
    acknowledged: int
    cancelled: int
    found: int  # acknowledged writes present exactly once, on the right customer, by the right user
    lost: list[str] = field(default_factory=list)  # acknowledged, not in the database
    duplicated: list[str] = field(default_factory=list)  # a marker on more than one row
    misplaced: list[str] = field(default_factory=list)  # on another customer or user than proposed
    unapproved: list[str] = field(default_factory=list)  # cancelled or never approved, yet present
    unknown: list[str] = field(default_factory=list)  # approved, answer lost (transport error), present
    integrity: str = "ok"  # SQLite's PRAGMA integrity_check; "not checked" on PostgreSQL

    @property
    def ok(self) -> bool:
        return (not (self.lost or self.duplicated or self.misplaced or self.unapproved)
                and self.integrity in ("ok", NOT_CHECKED))


def check_writes(engine: Engine, runs: list[UserRun], run_tag: str) -> WriteCheck:
    """One query for every row carrying this run's marker, compared with what the clients recorded
    (and, on SQLite, the database's own integrity check)."""
    pattern = re.compile(rf"\b({re.escape(run_tag)}-\d+-\d+)\b")
    with read_session(session_factory(engine)) as session:
        rows = session.execute(
            select(Interaction.id, Interaction.customer_id, Interaction.user_id, Interaction.notes)
            .where(Interaction.notes.like(f"%{run_tag}-%"))
        ).all()
        integrity = _integrity(session) if is_sqlite(engine) else NOT_CHECKED
    found_rows: dict[str, list[tuple[int, int, int | None]]] = {}
    for row_id, customer_id, user_id, notes in rows:
        for mark in pattern.findall(notes or ""):
            found_rows.setdefault(mark, []).append((row_id, customer_id, user_id))
    counts = Counter({mark: len(v) for mark, v in found_rows.items()})
    writes = [(run.user, w) for run in runs for w in run.writes]
    check = WriteCheck(proposed=len(writes), acknowledged=sum(w.acknowledged for _, w in writes),
                       cancelled=sum(w.decision == "cancel" for _, w in writes), found=0, integrity=integrity)
    check.duplicated = sorted(m for m, c in counts.items() if c > 1)
    known = set()
    for user, write in writes:
        known.add(write.marker)
        present = found_rows.get(write.marker, [])
        if present and any(c != write.customer_id or u != user.user_id for _, c, u in present):
            check.misplaced.append(write.marker)
        if write.acknowledged:
            if not present:
                check.lost.append(write.marker)
            elif len(present) == 1 and write.marker not in check.misplaced:
                check.found += 1
        elif present:
            (check.unknown if write.decision == "approve" else check.unapproved).append(write.marker)
    # a marker nobody proposed (or whose proposal was never seen to wait) is a write without approval
    check.unapproved += sorted(set(found_rows) - known)
    return check


def _integrity(session) -> str:
    result = session.execute(text("PRAGMA integrity_check")).scalars().all()
    return "ok" if result == ["ok"] else "; ".join(map(str, result[:5]))
