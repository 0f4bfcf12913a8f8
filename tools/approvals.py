"""Writes that wait for a person's yes: a stored proposal, one decision, then the write exactly once.

Used by channels that cannot pause a graph (MCP): the channel stores what a write will do
(``save_proposal``), shows it to the user, and later settles it (``settle``). Three records in the
write gate's idempotency table make this safe across processes, retries and double clicks:

* ``proposal:<id>``: the tool, its validated arguments and the summary shown, for one user;
* ``decision:<id>``: the first answer (approve or decline) wins on the primary key, so a decline
  can never be overtaken by a late approve, nor the other way round;
* ``write:<id>``: the write gate's own key, so an approved proposal writes once however often
  the approval is repeated (a repeat returns the first result with ``replayed: true``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.db import read_session, transaction
from domain.models import IdempotencyRecord
from tools.context import ToolContext
from tools.registry import call_tool, is_write, validate_args
from tools.results import ToolError, ToolResult

PROPOSAL_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Proposal:
    id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    user_id: int
    expires_at: datetime


def save_proposal(ctx: ToolContext, tool: str, raw_args: dict[str, Any] | None,
                  summary: str) -> Proposal | ToolError:
    """Store a write to be approved; nothing is written to the business tables."""
    if not is_write(tool):
        return ToolError(error="invalid", message=f"{tool} is not a write: it needs no approval")
    args = validate_args(tool, raw_args)
    if isinstance(args, ToolError):
        return args
    arguments = args.model_dump(mode="json", exclude_none=True)
    proposal = Proposal(id=secrets.token_urlsafe(16), tool=tool, arguments=arguments, summary=summary,
                        user_id=ctx.actor.id, expires_at=ctx.clock.now() + PROPOSAL_TTL)
    with transaction(ctx.sessions) as session:
        session.add(IdempotencyRecord(
            key=f"proposal:{proposal.id}", action=tool, user_id=ctx.actor.id,
            result={"arguments": arguments, "summary": summary,
                    "expires_at": proposal.expires_at.isoformat()}))
    return proposal


def load_proposal(ctx: ToolContext, proposal_id: str) -> Proposal | ToolError:
    """The proposal ``ctx.actor`` made with this id (another user's is not found)."""
    with read_session(ctx.sessions) as session:
        record = session.get(IdempotencyRecord, f"proposal:{proposal_id}")
    if record is None or record.user_id != ctx.actor.id:
        return ToolError(error="not_found", field="proposal_id",
                         message=f"there is no proposal {proposal_id!r} of yours; call the write tool again "
                                 "to get a new one")
    data = record.result or {}
    return Proposal(id=proposal_id, tool=record.action, arguments=data.get("arguments") or {},
                    summary=data.get("summary") or "", user_id=record.user_id,
                    expires_at=datetime.fromisoformat(data["expires_at"]))


def settle(ctx: ToolContext, proposal_id: str, approve: bool) -> ToolResult | ToolError:
    """Approve (the write runs, once) or decline (nothing is written) a stored proposal."""
    proposal = load_proposal(ctx, proposal_id)
    if isinstance(proposal, ToolError):
        return proposal
    decision = _decide(ctx, proposal, "approve" if approve else "decline")
    if isinstance(decision, ToolError):
        return decision
    if decision == "decline":
        if approve:
            return ToolError(error="cancelled", field="proposal_id",
                             message=f"proposal {proposal_id} was declined, so nothing was written; "
                                     "call the write tool again if it is still wanted")
        return ToolError(error="cancelled", message=f"declined: nothing was written ({proposal.summary.splitlines()[0]})")
    if not approve:
        return ToolError(error="conflict", field="proposal_id",
                         message=f"proposal {proposal_id} was already approved and written; it cannot be declined")
    return call_tool(proposal.tool, proposal.arguments, ctx.with_key(f"write:{proposal_id}"))


def _decide(ctx: ToolContext, proposal: Proposal, wanted: str) -> str | ToolError:
    """The proposal's decision: the first one recorded, or ``wanted`` when there was none yet."""
    key = f"decision:{proposal.id}"
    existing = _decision(ctx, key)
    if existing is not None:
        return existing
    if ctx.clock.now() > proposal.expires_at:
        return ToolError(error="invalid", field="proposal_id",
                         message=f"proposal {proposal.id} expired at {proposal.expires_at:%Y-%m-%d %H:%M}; "
                                 "call the write tool again")
    try:
        with transaction(ctx.sessions) as session:
            session.add(IdempotencyRecord(key=key, action=proposal.tool, user_id=ctx.actor.id,
                                          result={"decision": wanted}))
    except IntegrityError:  # another request decided at the same moment: its answer stands
        return _decision(ctx, key) or wanted
    return wanted


def _decision(ctx: ToolContext, key: str) -> str | None:
    with read_session(ctx.sessions) as session:
        record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
    return (record.result or {}).get("decision") if record is not None else None
