"""The final-database check: two databases compared table by table, ids and creation times masked."""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine, select

from domain.models import Base

# Bookkeeping that legitimately differs between the run and the replay (request ids, keys, stamps).
SKIPPED_TABLES = {"audit_log", "idempotency_records", "alembic_version", "clv_models"}
MASKED_COLUMNS = {"id", "created_at", "updated_at", "idempotency_key"}


def snapshot(engine: Engine) -> dict[str, Counter]:
    """Each table as a multiset of rows, with primary ids and creation timestamps masked."""
    state: dict[str, Counter] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in MASKED_COLUMNS]
            rows = conn.execute(select(*columns)).all()
            state[table.name] = Counter(tuple((c.name, _plain(v)) for c, v in zip(columns, row)) for row in rows)
    return state


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return float(value)
    return value


def diff(actual: dict[str, Counter], expected: dict[str, Counter], limit: int = 20) -> list[dict[str, Any]]:
    """Rows present on one side only: ``{"table", "side": "actual only" | "expected only", "row"}``."""
    out: list[dict[str, Any]] = []
    for table in sorted(set(actual) | set(expected)):
        a, e = actual.get(table, Counter()), expected.get(table, Counter())
        for side, rows in (("actual only", a - e), ("expected only", e - a)):
            for row, count in rows.items():
                for _ in range(count):
                    if len(out) < limit:
                        out.append({"table": table, "side": side, "row": dict(row)})
    return out


# --- expect_db: the contract's entities, read from the final database ---------------------------


ENTITY_FIELDS = {
    "interactions": ("customer", "type", "direction", "outcome", "duration_seconds", "follow_up_at", "occurred_at",
                     "notes", "subject"),
    "family_members": ("customer", "name", "relationship", "date_of_birth", "anniversary_date", "gender", "phone",
                       "email", "profession"),
    "dropoffs": ("customer", "key", "recovered", "stage"),
    "consent": ("customer", "channel", "opted_in"),
    "notes": ("customer", "text", "type", "pinned", "author"),
    "tags": ("customer", "tag"),
    "follow_ups": ("customer", "open", "at"),
    "opportunities": ("customer", "key", "name", "stage", "value", "probability", "status"),
}


def follow_up_rows(session, world, tz) -> list[dict[str, Any]]:
    """One row per follow-up: ``{customer, open, at}``, from the follow-ups table (one open per
    customer; a moved follow-up is the old row closed as replaced plus a new open one)."""
    from domain.models import FollowUp

    rows = session.execute(select(FollowUp.customer_id, FollowUp.due_at, FollowUp.closed_at).order_by(FollowUp.id))
    return [{"customer": world.key_of("customer", cid), "open": closed is None, "at": _local(at, tz)}
            for cid, at, closed in rows]


def _local(moment, tz):
    return moment.astimezone(tz) if moment is not None else None


def entity_rows(session, entity: str, world, tz) -> list[dict[str, Any]]:
    """The rows of one contract entity with the fields CONTRACT §2 lists (and a few more)."""
    from domain.models import (
        ChannelConsent, Dropoff, FamilyMember, Interaction, Note, Opportunity, Tag, User,
    )

    key = lambda cid: world.key_of("customer", cid)  # noqa: E731
    if entity == "follow_ups":
        return follow_up_rows(session, world, tz)
    if entity == "interactions":
        return [{"customer": key(r.customer_id), "type": r.type, "direction": r.direction, "outcome": r.outcome,
                 "duration_seconds": r.duration_seconds, "follow_up_at": _local(r.follow_up_at, tz),
                 "occurred_at": _local(r.occurred_at, tz), "notes": r.notes, "subject": r.subject}
                for r in session.scalars(select(Interaction).order_by(Interaction.id))]
    if entity == "family_members":
        return [{"customer": key(r.customer_id), "name": r.name, "relationship": r.relationship,
                 "date_of_birth": r.date_of_birth, "anniversary_date": r.anniversary_date, "gender": r.gender,
                 "phone": r.phone, "email": r.email, "profession": r.profession}
                for r in session.scalars(select(FamilyMember).order_by(FamilyMember.id))]
    if entity == "dropoffs":
        return [{"customer": key(r.customer_id), "key": world.key_of("dropoff", r.id), "recovered": r.recovered,
                 "stage": r.stage} for r in session.scalars(select(Dropoff).order_by(Dropoff.id))]
    if entity == "consent":
        return [{"customer": key(r.customer_id), "channel": r.channel, "opted_in": r.opted_in}
                for r in session.scalars(select(ChannelConsent))]
    if entity == "notes":
        return [{"customer": key(n.customer_id), "text": n.body, "type": n.type, "pinned": n.pinned, "author": author}
                for n, author in session.execute(select(Note, User.name).outerjoin(User, User.id == Note.author_id)
                                                 .order_by(Note.id))]
    if entity == "tags":
        return [{"customer": key(t.customer_id), "tag": t.tag} for t in session.scalars(select(Tag).order_by(Tag.id))]
    if entity == "opportunities":
        return [{"customer": key(o.customer_id), "key": world.key_of("opportunity", o.id), "name": o.name,
                 "stage": o.stage, "value": float(o.value), "probability": round(float(o.probability) * 100, 4),
                 "status": o.status} for o in session.scalars(select(Opportunity).order_by(Opportunity.id))]
    raise ValueError(f"unknown entity {entity!r}")


def _field_ok(want: Any, got: Any, tz) -> tuple[bool, str]:
    """The argument matchers, with dates and date-times compared as moments in the business zone."""
    from datetime import date, datetime

    from evals.matchers import match_value

    if isinstance(want, (date, datetime)) and isinstance(got, (date, datetime)):
        if isinstance(want, datetime) and isinstance(got, datetime):
            moment = want if want.tzinfo else want.replace(tzinfo=tz)
            ok = moment == got
        else:
            as_day = lambda v: v.astimezone(tz).date() if isinstance(v, datetime) else v  # noqa: E731
            ok = as_day(want) == as_day(got)
        return ok, "" if ok else f"expected {want}, got {got}"
    return match_value(want, got, tz)


def _matches(row: dict[str, Any], conditions: dict[str, Any], tz) -> list[str]:
    problems = []
    for name, want in conditions.items():
        if name not in row:
            problems.append(f"{name}: not a field of this entity (fields: {', '.join(row)})")
            continue
        ok, reason = _field_ok(want, row[name], tz)
        if not ok:
            problems.append(f"{name}: {reason}")
    return problems


def check_expectations(session, expectations, world, tz) -> list[str]:
    """The failures of ``expect_db`` checks. Rows are those matching ``where``; ``count`` is their
    number, ``exists`` whether there is one (``exists: false``: none also matches ``fields``), and
    ``fields`` must hold for every such row (at least one must exist unless ``count: 0``)."""
    failures = []
    for exp in expectations:
        label = f"expect_db {exp.entity} where {exp.where or '{}'}"
        rows = entity_rows(session, exp.entity, world, tz)
        known = ENTITY_FIELDS[exp.entity]
        unknown = [f for f in (*exp.where, *exp.fields) if f not in known]
        if unknown:
            failures.append(f"{label}: unknown field(s) {unknown}; fields are {', '.join(known)}")
            continue
        chosen = [r for r in rows if not _matches(r, exp.where, tz)]
        if exp.exists is False:
            clash = [r for r in chosen if not _matches(r, exp.fields, tz)]
            if clash:
                failures.append(f"{label}: expected no such row, found {_show(clash[0])}")
            continue
        if exp.count is not None and len(chosen) != exp.count:
            failures.append(f"{label}: expected {exp.count} row(s), found {len(chosen)}"
                            + (f" (e.g. {_show(chosen[0])})" if chosen else ""))
            continue
        if not chosen and exp.count != 0:
            failures.append(f"{label}: no such row" + (f"; there are {len(rows)} {exp.entity} rows"
                                                      if rows else f"; there are no {exp.entity} rows"))
            continue
        for row in chosen:
            problems = _matches(row, exp.fields, tz)
            if problems:
                failures.append(f"{label}: {'; '.join(problems)} in {_show(row)}")
                break
    return failures


def _show(row: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in row.items() if v is not None) + "}"
