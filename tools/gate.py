"""The one gate every write passes: validation, one transaction, an audit row, exactly-once by key.

A write tool is ``fn(ctx, session, args) -> ToolResult``; it changes rows through ``session`` and
calls ``audit(session, ...)`` for what it changed. The gate owns the transaction: either the rows,
the audit entries and the idempotency record all commit together, or none of them do.

Exactly once: the idempotency record is inserted *first* in the transaction, so a concurrent call
with the same key blocks on the primary key (PostgreSQL) or on the write lock (SQLite) and then
fails its insert; it rolls back and returns the first call's stored result instead. A key comes
back only with the arguments it was first used with: the same key with other arguments is a
conflict (a caller bug that would otherwise silently drop a write). A write that fails (bad
input, not found) rolls back its key too, so a corrected retry with the same key runs.

Permissions are checked twice with the same function: when the write is *proposed* (``preflight``,
so nobody is asked to approve a write they may not make) and inside the write's transaction
(``authorize``), so a role or assignment changed in between still counts. A tool may register
its own check; the default is ``tools.access``: may the actor act on the customer the arguments
name (or whose drop-off they name).
"""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.call_priority.stored import refresh_scores
from domain.db import read_session, transaction
from domain.errors import Conflict, DomainError
from domain.models import AuditLog, IdempotencyRecord
from tools.context import ToolContext
from tools.results import ToolError, ToolResult, to_payload

AUDIT_KEY = "c360.audit"
ARGUMENTS_KEY = "_arguments"  # stored beside the result, to refuse a key reused for other arguments


def audit(
    session: Session,
    *,
    entity: str,
    entity_id: int | None,
    customer_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Note one changed record for the audit trail; the gate writes it in the same transaction."""
    session.info.setdefault(AUDIT_KEY, []).append(
        {
            "entity": entity,
            "entity_id": entity_id,
            "customer_id": customer_id,
            "before": before,
            "after": after,
        }
    )


def subject_customer(session: Session, args, ctx: ToolContext):
    """The customer a write's arguments name (directly, or through its drop-off), or None."""
    from domain.models import Customer
    from tools.resolve import resolve_customer, resolve_dropoff

    dropoff = getattr(args, "dropoff_id", None)
    if dropoff not in (None, ""):
        return session.get(Customer, resolve_dropoff(session, dropoff).customer_id)
    customer = getattr(args, "customer", None)
    if customer not in (None, ""):
        return resolve_customer(session, customer, ctx.actor, ctx.settings)
    return None


def may_act_on_customer(ctx: ToolContext, session: Session, args) -> None:
    """The default write check: the actor may act on the customer the arguments name."""
    from tools.access import ensure_can_act

    customer = subject_customer(session, args, ctx)
    if customer is not None:
        ensure_can_act(session, ctx.actor, customer, ctx.settings)


def authorize(spec, ctx: ToolContext, session: Session, args) -> None:
    """Raise ``Forbidden`` (or a reference error) when ``ctx.actor`` may not make this write."""
    (spec.authorize or may_act_on_customer)(ctx, session, args)


def preflight(spec, args, ctx: ToolContext) -> ToolError | None:
    """At proposal time: the error the write would end in for permissions, else None. Reads only."""
    from tools.registry import error_from

    try:
        with read_session(ctx.sessions) as session:
            authorize(spec, ctx, session, args)
    except DomainError as exc:
        return error_from(exc)
    return None


def preview_lines(spec, args, ctx: ToolContext) -> list[str]:
    """What the confirmation shows besides the fields (the tool's ``preview``); reads only."""
    if spec.preview is None:
        return []
    with read_session(ctx.sessions) as session:
        return list(spec.preview(ctx, session, args))


KEY_LENGTH = 128  # idempotency_records.key


def _bad_key(key: str) -> ToolError | None:
    """An idempotency key must be printable text that fits its column: else nothing can be replayed."""
    if len(key) > KEY_LENGTH or not key.isprintable():
        return ToolError(error="invalid", field="idempotency_key",
                         message=f"the idempotency key must be 1 to {KEY_LENGTH} printable characters "
                                 "(no control characters); send a new key such as a UUID")
    return None


def run_write(spec, args, ctx: ToolContext) -> ToolResult | ToolError:
    key = ctx.idempotency_key
    arguments = args.model_dump(mode="json", exclude_none=True)
    if key and (bad := _bad_key(key)) is not None:
        return bad
    if key:
        stored = _replay(spec, ctx, key, arguments)
        if stored is not None:
            return stored
    try:
        with transaction(ctx.sessions) as session:
            if key:
                session.add(
                    IdempotencyRecord(key=key, action=spec.name, user_id=ctx.actor.id, result={})
                )
                session.flush()
            authorize(spec, ctx, session, args)
            result = spec.fn(ctx, session, args)
            entries = session.info.pop(AUDIT_KEY, None) or [
                {
                    "entity": None,
                    "entity_id": None,
                    "customer_id": None,
                    "before": None,
                    "after": None,
                }
            ]
            # every customer a write touched gets their stored call priority rescored here, in
            # the write's transaction, whichever domain function the tool went through
            refresh_scores(session, {e["customer_id"] for e in entries if e["customer_id"] is not None})
            for entry in entries:
                session.add(
                    AuditLog(
                        user_id=ctx.actor.id,
                        action=spec.name,
                        arguments=arguments,
                        request_id=ctx.request_id,
                        occurred_at=ctx.clock.now(),
                        **entry,
                    )
                )
            if key:
                session.execute(
                    update(IdempotencyRecord)
                    .where(IdempotencyRecord.key == key)
                    .values(result={**to_payload(result), ARGUMENTS_KEY: arguments})
                )
            return result
    except IntegrityError as exc:
        if key:
            stored = _replay(spec, ctx, key, arguments)
            if stored is not None:
                return stored
        # A unique rule another writer satisfied first (the same family member added twice at once).
        raise Conflict(
            f"{spec.name} clashed with a change made at the same moment and wrote nothing; "
            "read the record again and retry if it is still needed"
        ) from exc


def _replay(
    spec, ctx: ToolContext, key: str, arguments: dict[str, Any]
) -> ToolResult | ToolError | None:
    with read_session(ctx.sessions) as session:
        record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.action != spec.name:
        return ToolError(
            error="conflict",
            message=f"idempotency key {key!r} was already used for "
            f"{record.action}; use a new key for a different write",
        )
    payload = dict(record.result or {})
    if (
        not payload
    ):  # the first call is still running (cannot happen once its transaction committed)
        return None
    first_arguments = payload.pop(ARGUMENTS_KEY, arguments)
    if first_arguments != arguments:
        return ToolError(
            error="conflict",
            message=f"idempotency key {key!r} was already used for "
            f"{record.action} with other arguments; use a new key for a different write",
        )
    if payload.get("ok") is False:
        return ToolError.model_validate(payload)
    payload["replayed"] = True
    result_type = inspect.signature(spec.fn, eval_str=True).return_annotation
    if not (isinstance(result_type, type) and issubclass(result_type, ToolResult)):
        result_type = ToolResult
    return result_type.model_validate(payload)
