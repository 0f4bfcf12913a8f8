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
"""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.db import read_session, transaction
from domain.errors import Conflict
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


def run_write(spec, args, ctx: ToolContext) -> ToolResult | ToolError:
    key = ctx.idempotency_key
    arguments = args.model_dump(mode="json", exclude_none=True)
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
