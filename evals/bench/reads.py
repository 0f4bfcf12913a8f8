"""The read measurements: call priority, RFM distribution and the 360 view, in the domain and as tools."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from domain.call_priority import call_priority
from domain.call_priority.stored import refresh_scores
from domain.customer360 import load_customer_360
from domain.db import read_session
from domain.errors import DomainError
from domain.models import Customer, CustomerStats
from domain.phone import display_phone
from domain.rfm import rfm_distribution
from evals.bench.measure import Row, Target, summarize, time_calls
from evals.bench.world import World, vacuum_analyze
from tools.context import ToolContext
from tools.registry import call_tool
from tools.resolve import resolve_customer

RANKING_TARGET = Target("p50", 1000)  # issue 2: the full call-priority ranking and the RFM distribution < 1 s
VIEW_TARGET = Target("p50", 20)  # issue 2: one customer's complete 360 data < 20 ms


class BenchError(RuntimeError):
    """A measured call did not do its job: the benchmark refuses to report the speed of an error."""


def tool_ok(name: str):
    def check(result: Any) -> None:
        if not getattr(result, "ok", False):
            raise BenchError(f"{name} failed during the benchmark: {result.text}")
    return check


def heavy_customers(world: World, count: int) -> list[int]:
    """The ``count`` customers with the most completed orders + interactions (the slowest 360s)."""
    s = CustomerStats
    query = (select(s.customer_id).join(Customer, Customer.id == s.customer_id)
             .where(Customer.status != "erased")
             .order_by((s.order_count + s.interaction_count).desc(), s.customer_id).limit(count))
    with read_session(world.sessions) as session:
        return list(session.scalars(query))


def typed_reference(world: World, ctx: ToolContext, candidates: list[int], name_tries: int = 20) -> tuple[int, str]:
    """A customer and how a user would type them in a request: the full name when it finds that
    customer alone (tried on the first ``name_tries`` candidates), else their phone number (in a
    world of 100,000, full names repeat)."""
    with read_session(world.sessions) as session:
        people = {row.id: row for row in session.execute(
            select(Customer.id, Customer.name, Customer.phone).where(Customer.id.in_(candidates[:200])))}
        for customer_id in candidates[:name_tries]:
            try:
                if resolve_customer(session, people[customer_id].name, ctx.actor, ctx.settings).id == customer_id:
                    return customer_id, people[customer_id].name
            except DomainError:  # ambiguous or not found: try the next one
                continue
    for customer_id in candidates[:200]:
        if people[customer_id].phone:
            return customer_id, display_phone(people[customer_id].phone)
    raise BenchError("no heavy customer has a unique name or a phone number; the agent rows need one")


def read_rows(world: World, ctx: ToolContext, heavy: list[int], runs: int) -> list[Row]:
    """Call priority and RFM (``runs`` timings each), then the 360 view of every ``heavy`` customer."""
    settings, sessions = world.settings, world.sessions
    today, now = world.clock.today(), world.clock.now()

    def ranking(_: int):
        with read_session(sessions) as session:
            return call_priority(session, today, limit=10, now=now, settings=settings)

    def full_ranking(_: int):
        with read_session(sessions) as session:
            return call_priority(session, today, limit=10, now=now, settings=settings, use_stored=False)

    def next_day_refresh(_: int):
        # the daily refresh's work for tomorrow: every customer rescored, the moved rows written;
        # rolled back, so the world stays today's
        session = sessions()
        try:
            return refresh_scores(session, None, today=today + timedelta(days=1), settings=settings)
        finally:
            session.rollback()
            session.close()

    def nonempty(entries) -> None:
        if not entries:
            raise BenchError("call_priority returned nobody on a world with customers")

    def distribution(_: int):
        with read_session(sessions) as session:
            return rfm_distribution(session, today, settings.rfm_monetary_thresholds, settings.rfm_mode,
                                    tz=settings.tz)

    def view(i: int):
        with read_session(sessions) as session:
            return load_customer_360(session, heavy[i], today, now=now, settings=settings)

    rows = [
        summarize("call priority: top 10 from the stored scores (domain)", time_calls(ranking, runs, check=nonempty),
                  target=RANKING_TARGET),
        summarize("call priority: call_priority_list tool",
                  time_calls(lambda _: call_tool("call_priority_list", {}, ctx), runs,
                             check=tool_ok("call_priority_list")), target=RANKING_TARGET),
        summarize("call priority: full recomputation, every customer (domain)",
                  time_calls(full_ranking, runs, check=nonempty)),
        summarize("RFM distribution (domain)", time_calls(distribution, runs), target=RANKING_TARGET),
        summarize("RFM distribution: rfm_segment tool",
                  time_calls(lambda _: call_tool("rfm_segment", {}, ctx), runs, check=tool_ok("rfm_segment")),
                  target=RANKING_TARGET),
        summarize("daily refresh of the stored scores, all customers (next day, rolled back)",
                  time_calls(next_day_refresh, min(runs, 3), warmup=0)),
    ]
    if world.engine.dialect.name == "postgresql":
        # the rolled-back refreshes left dead row versions that the next reads would wade through;
        # autovacuum clears them in production, the bench at once
        vacuum_analyze(world.engine, "call_priority_scores")
    if heavy:
        # one untimed pass first, so both 360 rows read the same warm pages (whichever runs first
        # would otherwise also pay for pulling the customers' rows off disk)
        for i in range(len(heavy)):
            view(i)
        rows += [
            summarize("360 data, heavy customers (domain)", time_calls(view, len(heavy)), target=VIEW_TARGET),
            summarize("get_360 tool, heavy customers",
                      time_calls(lambda i: call_tool("get_360", {"customer": heavy[i]}, ctx), len(heavy),
                                 check=tool_ok("get_360")), target=VIEW_TARGET),
        ]
    return rows
