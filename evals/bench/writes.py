"""The write measurement (log_interaction through the gate) and the undo that keeps the world reusable.

Copying a 700 MB database per run is slower than the benchmark itself, so the benchmark writes
into the reused world and then takes everything back: the rows it added (found by id watermarks
taken before the first write), the follow-ups its contacts closed, and the per-customer
aggregates and derived columns of the customers it touched (recomputed by the product's rules).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Table, delete, func, inspect, select, update

from domain import stats
from domain.db import read_session, transaction
from domain.models import (
    ApiToken, AuditLog, FollowUp, IdempotencyRecord, Interaction, interaction_products,
)
from domain.models.channels import SlackDelivery
from evals.bench.measure import Row, summarize, time_calls
from evals.bench.reads import tool_ok
from evals.bench.world import World
from tools.context import ToolContext
from tools.registry import call_tool

CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


@dataclass
class Watermarks:
    """The highest ids before the benchmark wrote anything, and the follow-ups then still open."""

    interaction_id: int
    audit_id: int
    token_id: int
    slack_delivery_id: int | None  # None: no slack_deliveries table in this database
    open_follow_ups: list[int] = field(default_factory=list)  # interactions whose follow-up was open
    follow_up_id: int = 0


def _has_table(world: World, table: Table) -> bool:
    with world.engine.connect() as conn:
        return inspect(conn).has_table(table.name)


def take_watermarks(world: World, customer_ids: list[int]) -> Watermarks:
    """Remember where the world ends, before any benchmark write to ``customer_ids``."""
    slack = _has_table(world, SlackDelivery.__table__)
    with read_session(world.sessions) as session:
        top = lambda column: int(session.scalar(select(func.coalesce(func.max(column), 0))))
        open_ids: list[int] = []
        for chunk in _chunks(sorted(set(customer_ids))):
            open_ids += session.scalars(select(Interaction.id).where(
                Interaction.customer_id.in_(chunk), Interaction.follow_up_at.is_not(None),
                Interaction.follow_up_done_at.is_(None)))
        return Watermarks(top(Interaction.id), top(AuditLog.id), top(ApiToken.id),
                          top(SlackDelivery.id) if slack else None, open_ids, top(FollowUp.id))


def undo_writes(world: World, marks: Watermarks) -> dict[str, int]:
    """Delete what the benchmark wrote after ``marks`` and restore the touched customers; returns counts."""
    today, now, settings = world.clock.today(), world.clock.now(), world.settings
    with transaction(world.sessions) as session:
        new = session.execute(select(Interaction.id, Interaction.customer_id, Interaction.idempotency_key)
                              .where(Interaction.id > marks.interaction_id)).all()
        ids = [r.id for r in new]
        keys = [r.idempotency_key for r in new if r.idempotency_key]
        customers = sorted({r.customer_id for r in new})
        # follow-ups: the ones the benchmark opened go, the ones its contacts closed reopen
        session.execute(delete(FollowUp).where(FollowUp.id > marks.follow_up_id))
        session.execute(update(FollowUp).where(
            FollowUp.id <= marks.follow_up_id, FollowUp.closed_at.is_not(None),
            FollowUp.closed_by_interaction_id > marks.interaction_id).values(
            closed_at=None, close_reason=None, closed_by_id=None, closed_by_interaction_id=None,
            close_note=None))
        for chunk in _chunks(ids):
            session.execute(delete(interaction_products).where(interaction_products.c.interaction_id.in_(chunk)))
            session.execute(delete(Interaction).where(Interaction.id.in_(chunk)))
        for chunk in _chunks(keys):
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.key.in_(chunk)))
        reopened = 0
        for chunk in _chunks(marks.open_follow_ups):
            reopened += session.execute(update(Interaction).where(
                Interaction.id.in_(chunk), Interaction.follow_up_done_at.is_not(None))
                .values(follow_up_done_at=None)).rowcount or 0
        audits = session.execute(delete(AuditLog).where(AuditLog.id > marks.audit_id)).rowcount or 0
        tokens = session.execute(delete(ApiToken).where(ApiToken.id > marks.token_id)).rowcount or 0
        deliveries = 0
        if marks.slack_delivery_id is not None:
            deliveries = session.execute(
                delete(SlackDelivery).where(SlackDelivery.id > marks.slack_delivery_id)).rowcount or 0
        if customers:
            stats.refresh_stats(session, customers, now=now)
            stats.refresh_derived(session, today, customers, tz=settings.tz,
                                  monetary_thresholds=settings.rfm_monetary_thresholds)
    return {"interactions": len(ids), "follow_ups_reopened": reopened, "audit_rows": audits,
            "tokens": tokens, "slack_deliveries": deliveries, "customers_refreshed": len(customers)}


def write_rows(world: World, ctx: ToolContext, customers: list[int]) -> list[Row]:
    """One log_interaction per customer through the tool (validation, one transaction, audit, key)."""
    if not customers:
        return []
    run = uuid.uuid4().hex[:12]

    def log(i: int):
        keyed = ctx.with_key(f"bench-{run}-{i}")
        return call_tool("log_interaction", {"customer": customers[i], "type": "call", "outcome": "no_answer",
                                             "notes": "benchmark call, no answer"}, keyed)

    durations = time_calls(log, len(customers), check=tool_ok("log_interaction"))
    return [summarize("log_interaction tool (one transaction each)", durations)]


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]
