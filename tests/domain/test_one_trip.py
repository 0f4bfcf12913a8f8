"""The 360 view in one round trip: how many statements it sends (so it cannot creep back to forty),
and that the prefetched view equals the one read statement by statement, field for field."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import event, select

import domain.customer360.loader as loader
from domain.clock import Clock
from domain.clv.business import fit_from_orders
from domain.customer360 import load_customer_360
from domain.db import read_session
from domain.demo import build_demo_world
from domain.models import Customer, Order
from domain.one_trip import Read, prefetch
from domain.settings import get_settings
from tests.domain.test_customer360 import NOW, TODAY, rahim  # noqa: F401 (the hand-computed world)
from tests.factories import DHAKA
from tests.tools.conftest import make_ctx  # noqa: F401 (a ToolContext fixture)
from tools.registry import call_tool

# one for the prefetch, one for the timeline page's order lines and product names, one for the
# stored CLV model; with a stored model, two more for the customer's order history
MAX_STATEMENTS = 3
MAX_STATEMENTS_WITH_CLV_MODEL = 5


@contextmanager
def counted(engine):
    """Every statement the engine sends, SQLite's explicit BEGIN left out (PostgreSQL's is implicit)."""
    sent: list[str] = []

    def on(conn, cursor, statement, params, context, executemany):
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", on)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on)


@contextmanager
def statement_by_statement():
    """The view read the old way: every section's statement sent alone (no prefetch)."""
    original = loader.prefetch
    loader.prefetch = lambda conn, reads: conn
    try:
        yield
    finally:
        loader.prefetch = original


def _both(session, customer_id, **kwargs):
    new = load_customer_360(session, customer_id, TODAY, now=NOW, **kwargs)
    with statement_by_statement():
        old = load_customer_360(session, customer_id, TODAY, now=NOW, **kwargs)
    return new, old


def _assert_same(new, old):
    for name in type(new).model_fields:
        assert getattr(new, name) == getattr(old, name), name
    assert new.model_dump() == old.model_dump()


def test_the_view_sends_three_statements(engine, session, rahim):  # noqa: F811
    with counted(engine) as sent:
        data = load_customer_360(session, rahim.id, TODAY, now=NOW)
    assert data.profile["name"] == "Rahim Uddin"
    assert len(sent) <= MAX_STATEMENTS, sent
    with statement_by_statement(), counted(engine) as old:
        load_customer_360(session, rahim.id, TODAY, now=NOW)
    assert len(old) > 30  # what the prefetch saves


def test_with_a_stored_clv_model(engine, session, rahim):  # noqa: F811
    fit_from_orders(session, TODAY, tz=DHAKA)
    session.commit()
    with counted(engine) as sent:
        data = load_customer_360(session, rahim.id, TODAY, now=NOW)
    assert data.clv is not None and data.clv.customer_id == rahim.id
    assert len(sent) <= MAX_STATEMENTS_WITH_CLV_MODEL, sent


def test_prefetched_equals_statement_by_statement_on_the_hand_computed_world(session, rahim):  # noqa: F811
    new, old = _both(session, rahim.id)
    _assert_same(new, old)
    # the hand-computed figures (tests/domain/test_customer360.py builds them)
    assert new.tags == ["eid", "vip"] and new.preferences.quiet_hours_start == time(21)
    assert (new.opportunities.open_value, new.opportunities.win_rate) == (100000, 0.667)
    assert (new.tickets.open_count, new.tickets.overdue_count, new.tickets.average_csat) == (1, 1, 4.0)
    assert [(d["product"], d["cart_value"]) for d in new.open_dropoffs] == [("Blue Kettle", 5500)]
    assert new.scores.metrics.lifetime_value == 7500
    assert all(item.occurred_at.tzinfo is not None for item in new.timeline.items)
    # a page further back and a filtered one read the same both ways
    first = load_customer_360(session, rahim.id, TODAY, now=NOW, timeline_limit=2)
    _assert_same(*_both(session, rahim.id, timeline_limit=2, cursor=first.timeline.next_cursor))
    _assert_same(*_both(session, rahim.id, timeline_types=["order", "note"],
                        since=TODAY - timedelta(days=200)))


def test_prefetched_equals_statement_by_statement_on_a_demo_world(engine):
    clock = Clock(tz=DHAKA, fixed=NOW)
    build_demo_world(engine, clock=clock, customers=40, seed=11)
    settings = get_settings().model_copy(update={"timezone": "Asia/Dhaka"})
    from domain.db import session_factory

    with read_session(session_factory(engine)) as session:
        ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
        assert ids
        for customer_id in ids:
            new = load_customer_360(session, customer_id, TODAY, now=NOW, settings=settings)
            with statement_by_statement():
                old = load_customer_360(session, customer_id, TODAY, now=NOW, settings=settings)
            _assert_same(new, old)


def test_rows_keep_their_types_and_order(session, rahim):  # noqa: F811
    """Dates, aware datetimes, decimals and the statement's own order survive the JSON trip."""
    query = (select(Order.id, Order.ordered_at, Order.total_amount, Order.status)
             .where(Order.customer_id == rahim.id).order_by(Order.ordered_at.desc(), Order.id.desc()))
    customer = select(Customer.date_of_birth, Customer.quiet_hours_start).where(Customer.id == rahim.id)
    conn = session.connection()
    expected, expected_customer = conn.execute(query).all(), conn.execute(customer).all()
    fetched = prefetch(conn, [Read(query), Read(customer)])
    rows = fetched.execute(query).all()
    assert [tuple(r) for r in rows] == [tuple(r) for r in expected] and len(rows) == 3
    assert all(isinstance(r.total_amount, Decimal) and isinstance(r.ordered_at, datetime) for r in rows)
    assert [tuple(r) for r in fetched.execute(customer).all()] == [tuple(r) for r in expected_customer]
    assert fetched.execute(customer).one().date_of_birth == date(1988, 11, 22)


def test_two_reads_may_give_one_parameter_name_different_values(session, rahim):  # noqa: F811
    from sqlalchemy import bindparam

    late = select(Order.id).where(Order.customer_id == bindparam("cid"), Order.ordered_at >= bindparam("since"))
    early = select(Order.id).where(Order.customer_id == bindparam("cid"), Order.ordered_at < bindparam("since"))
    moment = datetime.combine(TODAY - timedelta(days=60), time(0), DHAKA)
    conn = session.connection()
    fetched = prefetch(conn, [Read(late, {"cid": rahim.id, "since": moment}),
                              Read(early, {"cid": rahim.id, "since": moment - timedelta(days=1)})])
    assert (fetched.execute(late, {"cid": rahim.id, "since": moment}).all()
            == conn.execute(late, {"cid": rahim.id, "since": moment}).all())
    assert (fetched.execute(early, {"cid": rahim.id, "since": moment - timedelta(days=1)}).all()
            == conn.execute(early, {"cid": rahim.id, "since": moment - timedelta(days=1)}).all())
    # other parameters than the prefetched ones: read from the database, not from memory
    assert (fetched.execute(late, {"cid": rahim.id, "since": moment - timedelta(days=400)}).all()
            == conn.execute(late, {"cid": rahim.id, "since": moment - timedelta(days=400)}).all())


def test_the_get_360_tool_sends_few_statements(engine, session, rahim, make_ctx):  # noqa: F811
    fit_from_orders(session, TODAY, tz=DHAKA)
    session.commit()
    ctx = make_ctx("Rina Akter")
    call_tool("get_360", {"customer": rahim.id}, ctx)  # warm: the tool registry and statements
    with counted(engine) as sent:
        result = call_tool("get_360", {"customer": rahim.id}, ctx)
    assert result.ok and result.profile["name"] == "Rahim Uddin"
    # resolving the customer, the view's five, and the read session's end (PostgreSQL: COMMIT)
    assert len(sent) <= MAX_STATEMENTS_WITH_CLV_MODEL + 2, sent
