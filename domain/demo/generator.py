"""Build the deterministic demo world: same seed and same day, same data, on SQLite or PostgreSQL.

Everything is generated as numpy columns first (one random stream, a fixed order of draws), then
written table by table with batched core inserts in one transaction, then the per-customer
aggregates and derived columns are computed once for everybody.
"""

from __future__ import annotations

import time as timer
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from domain import stats
from domain.clock import Clock
from domain.days import days_since
from domain.demo import bulk, commerce, contacts, content, people, relations
from domain.demo.catalogue import AUDIENCE, CATALOGUE, NEW_LINES
from domain.demo.catalogue import products as catalogue_products
from domain.demo.timeline import Timeline
from domain.errors import Conflict, DomainError
from domain.follow_ups import replay_follow_ups
from domain.models import (
    BehaviorEvent,
    Category,
    ChannelConsent,
    ConsentEvent,
    Customer,
    CustomerStats,
    Dropoff,
    FamilyMember,
    Interaction,
    KnowledgeSnippet,
    LoyaltyAccount,
    LoyaltyTransaction,
    Note,
    Opportunity,
    Order,
    OrderItem,
    Product,
    ReplyTemplate,
    SupportTicket,
    Tag,
    User,
    interaction_products,
)
from domain.rfm import frequency_score, monetary_score, recency_score, segment_for

Progress = Callable[[str, int, int], None]  # (step, rows just done, rows in the step)
ID_TABLES = [
    t.__table__
    for t in (
        Customer,
        Order,
        OrderItem,
        Interaction,
        Dropoff,
        BehaviorEvent,
        FamilyMember,
        ConsentEvent,
        Tag,
        Note,
        SupportTicket,
        Opportunity,
        LoyaltyTransaction,
    )
]


@dataclass
class DemoSummary:
    """What was written, how long it took, and how the customers came out."""

    rows: dict[str, int]
    seconds: float
    segments: dict[str, int] = field(default_factory=dict)
    temperatures: dict[str, int] = field(default_factory=dict)


def _reference_rows(conn, start_s: float) -> tuple[list[int], dict[str, int]]:
    """Team, catalogue, templates and snippets: created when missing, reused when present."""
    created = datetime.fromtimestamp(start_s, timezone.utc)
    users = dict(conn.execute(select(User.name, User.id)).all())
    missing = [
        {"name": n, "role": r, "email": e, "created_at": created}
        for n, r, e in content.TEAM
        if n not in users
    ]
    if missing:
        conn.execute(User.__table__.insert(), missing)
        users = dict(conn.execute(select(User.name, User.id)).all())
    cats = dict(conn.execute(select(Category.name, Category.id)).all())
    lines = [*CATALOGUE, *NEW_LINES]
    if set(lines) - set(cats):
        conn.execute(Category.__table__.insert(), [{"name": c} for c in lines if c not in cats])
        cats = dict(conn.execute(select(Category.name, Category.id)).all())
    have = dict(conn.execute(select(Product.name, Product.id)).all())
    new = [
        {"name": n, "sku": sku, "category_id": cats[c], "price": p, "is_active": True,
         "audience": AUDIENCE.get(n), "created_at": created}
        for c, n, p, sku in [*catalogue_products(), *catalogue_products(NEW_LINES)]
        if n not in have
    ]
    if new:
        conn.execute(Product.__table__.insert(), new)
        have = dict(conn.execute(select(Product.name, Product.id)).all())
    names = set(conn.scalars(select(ReplyTemplate.name)))
    templates = [t for t in content.reply_templates() if t["name"] not in names]
    if templates:
        conn.execute(ReplyTemplate.__table__.insert(), templates)
    titles = set(conn.scalars(select(KnowledgeSnippet.title)))
    snippets = [
        {"title": t, "body": b, "tags": g, "language": lang}
        for t, b, g, lang in content.KNOWLEDGE
        if t not in titles
    ]
    if snippets:
        conn.execute(KnowledgeSnippet.__table__.insert(), snippets)
    agents = [users[n] for n, role, _ in content.TEAM if role == "agent"]
    return agents, have


def _catalogue(product_ids: dict[str, int]) -> commerce.Catalogue:
    rows = catalogue_products()
    order = list(CATALOGUE)
    return commerce.Catalogue(
        ids=np.array([product_ids[n] for _, n, _, _ in rows]),
        names=[n for _, n, _, _ in rows],
        prices=np.array([float(p) for _, _, p, _ in rows]),
        category=np.array([order.index(c) for c, *_ in rows]),
        n_categories=len(order),
        category_names=order,
    )


def _merge_recovered_orders(orders: dict, drop: dict) -> dict:
    """A recovered drop-off ends in a completed order for its cart; orders stay grouped by customer."""
    rows = np.flatnonzero(drop["recovered"])
    extra = {
        "who": drop["who"][rows],
        "ordered_at": drop["recovered_at"][rows],
        "product": drop["product"][rows],
        "quantity": drop["quantity"][rows],
        "second": np.full(len(rows), -1),
        "total_amount": drop["cart_value"][rows],
        "status": np.full(len(rows), "completed"),
        "channel": np.full(len(rows), "phone"),
    }
    merged = {k: np.concatenate([orders[k], extra[k]]) for k in orders}
    order = np.lexsort((merged["ordered_at"], merged["who"]))
    return {k: v[order] for k, v in merged.items()}


def build_demo_world(
    engine: Engine,
    *,
    clock: Clock,
    customers: int = 2000,
    seed: int = 42,
    orders_per_customer: float = 10.0,
    interactions_per_customer: float = 10.0,
    replace: bool = False,
    on_progress: Progress | None = None,
) -> DemoSummary:
    """Write the demo world for ``clock``'s today; refuses a database that already has customers
    unless ``replace`` (which wipes customers and their records, keeping team and catalogue)."""
    if customers < 1:
        raise DomainError("customers must be at least 1", field="customers")
    began = timer.perf_counter()
    report = on_progress or (lambda step, done, total: None)
    tl = Timeline.from_clock(clock)
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        existing = conn.scalar(select(func.count()).select_from(Customer))
        if existing and not replace:
            raise Conflict(
                f"the database already holds {existing} customers; use --replace to wipe and rebuild"
            )
        if replace:
            bulk.wipe(conn)
        agents, product_ids = _reference_rows(conn, tl.start_s)
        cat = _catalogue(product_ids)
        ids = bulk.next_ids(conn, ID_TABLES)
        report("generate", 1, 8)
        pop, cust = people.make_population(rng, customers, ids["customers"], tl, agents)
        orders = commerce.order_columns(rng, pop, tl, cat, orders_per_customer / 0.92)
        last_any = np.full(customers, -np.inf)
        np.maximum.at(last_any, orders["who"], orders["ordered_at"])
        report("generate", 1, 8)
        drop = commerce.dropoff_columns(rng, pop, tl, cat, last_any)
        orders = _merge_recovered_orders(orders, drop)
        order_ids = np.arange(ids["orders"], ids["orders"] + len(orders["who"]))
        report("generate", 1, 8)
        talks = [
            contacts.interaction_columns(rng, pop, tl, cat, orders, interactions_per_customer, agents),
            contacts.due_today_columns(rng, pop, tl, cat, last_any, agents),
        ]
        talks.append(contacts.answer_columns(rng, pop, tl, cat, talks, agents))
        talks.append(contacts.recovery_columns(rng, pop, tl, cat, drop, agents))  # last: see recovery_ids
        inter = {k: _concat([t[k] for t in talks]) for k in talks[0]}
        inter_ids = np.arange(ids["interactions"], ids["interactions"] + len(inter["who"]))
        recovery_ids = inter_ids[len(inter_ids) - int(drop["recovered"].sum()) :]
        report("generate", 1, 8)
        behaviour = commerce.behaviour_columns(rng, pop, tl, cat, last_any, ids["behavior_events"])
        accounts, txns = commerce.loyalty_columns(rng, pop, orders, order_ids, ids["loyalty_transactions"])
        tickets = contacts.ticket_columns(rng, pop, tl, last_any, ids["support_tickets"])
        deals = contacts.opportunity_columns(rng, pop, tl, ids["opportunities"])
        report("generate", 1, 8)
        family = relations.family_columns(rng, pop, cust, tl, ids["family_members"])
        report("generate", 1, 8)
        consents, events = relations.consent_columns(rng, pop, cust, tl, ids["consent_events"])
        tags = relations.tag_columns(rng, pop, ids["tags"])
        notes = relations.note_columns(rng, pop, tl, ids["notes"])
        report("generate", 1, 8)
        # nobody has a record from before they became a customer
        first_seen = cust["created_at"].copy()
        for who, moments in ((orders["who"], orders["ordered_at"]), (inter["who"], inter["occurred_at"])):
            np.minimum.at(first_seen, who, moments)
        cust["created_at"] = cust["updated_at"] = first_seen
        report("generate", 1, 8)

        tables = _table_columns(
            pop,
            cust,
            orders,
            order_ids,
            cat,
            drop,
            recovery_ids,
            inter,
            inter_ids,
            behaviour,
            accounts,
            txns,
            tickets,
            deals,
            family,
            consents,
            events,
            tags,
            notes,
            agents,
            ids,
        )
        rows = {}
        for table, columns in tables:
            total = len(next(iter(columns.values())))
            rows[table.name] = bulk.insert_columns(
                conn,
                table,
                columns,
                on_rows=lambda done, name=table.name, total=total: report(name, done, total),
            )
        bulk.sync_sequences(conn, ID_TABLES)
        report("refresh", 0, 2)
        with Session(bind=conn) as session:
            replay_follow_ups(session, pop.ids.tolist(), clock.tz)
            stats.refresh_stats(session, None, now=clock.now())
            report("refresh", 1, 2)
            stats.refresh_derived(session, tl.today, None, tz=clock.tz)
            report("refresh", 1, 2)
            segments, temperatures = describe(session, clock)
    return DemoSummary(rows, timer.perf_counter() - began, segments, temperatures)


def _concat(parts: list):
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return [x for part in parts for x in part]


def _table_columns(
    pop,
    cust,
    orders,
    order_ids,
    cat,
    drop,
    recovery_ids,
    inter,
    inter_ids,
    behaviour,
    accounts,
    txns,
    tickets,
    deals,
    family,
    consents,
    events,
    tags,
    notes,
    agents,
    ids,
):
    """Every generated table as (Table, columns), parents before children."""
    main = np.arange(len(order_ids))
    second = np.flatnonzero(orders["second"] >= 0)
    product_rows = np.concatenate([orders["product"], orders["second"][second]])
    items = {
        "id": np.arange(ids["order_items"], ids["order_items"] + len(product_rows)),
        "order_id": np.concatenate([order_ids[main], order_ids[second]]),
        "product_id": cat.ids[product_rows],
        "product_name": [cat.names[p] for p in product_rows.tolist()],
        "quantity": np.concatenate([orders["quantity"], np.ones(len(second), dtype=int)]),
        "unit_price": cat.prices[product_rows],
    }
    order_cols = {
        "id": order_ids,
        "customer_id": pop.ids[orders["who"]],
        "external_id": [f"DB-O{i:07d}" for i in order_ids.tolist()],
        "ordered_at": orders["ordered_at"],
        "status": orders["status"],
        "total_amount": np.round(orders["total_amount"], 2),
        "channel": orders["channel"],
        "created_at": orders["ordered_at"],
    }
    inter_cols = {k: v for k, v in inter.items() if k not in ("who", "product", "mentions")}
    inter_cols["id"] = inter_ids
    mentioned = np.flatnonzero(inter["mentions"])
    links = {"interaction_id": inter_ids[mentioned], "product_id": cat.ids[inter["product"][mentioned]]}
    recovered = np.flatnonzero(drop["recovered"])
    recovery = np.full(len(drop["who"]), -1)
    recovery[recovered] = recovery_ids
    agent_of = np.where(pop.agent[drop["who"]] > 0, pop.agent[drop["who"]], agents[0])
    drop_cols = {
        "id": np.arange(ids["dropoffs"], ids["dropoffs"] + len(drop["who"])),
        "customer_id": pop.ids[drop["who"]],
        "stage": drop["stage"],
        "product_id": cat.ids[drop["product"]],
        "cart_value": drop["cart_value"],
        "reason": drop["reason"],
        "occurred_at": drop["occurred_at"],
        "recovered": drop["recovered"],
        "recovered_at": drop["recovered_at"],
        "recovered_by_id": [
            int(a) if r else None for a, r in zip(agent_of.tolist(), drop["recovered"].tolist())
        ],
        "recovery_interaction_id": [int(i) if i >= 0 else None for i in recovery.tolist()],
        "recovery_note": ["won back by a follow-up" if r else None for r in drop["recovered"].tolist()],
    }
    return [
        (Customer.__table__, cust),
        (FamilyMember.__table__, family),
        (ChannelConsent.__table__, consents),
        (ConsentEvent.__table__, events),
        (Tag.__table__, tags),
        (Note.__table__, notes),
        (Order.__table__, order_cols),
        (OrderItem.__table__, items),
        (Interaction.__table__, inter_cols),
        (interaction_products, links),
        (Dropoff.__table__, drop_cols),
        (BehaviorEvent.__table__, behaviour),
        (LoyaltyAccount.__table__, accounts),
        (LoyaltyTransaction.__table__, txns),
        (SupportTicket.__table__, tickets),
        (Opportunity.__table__, deals),
    ]


def describe(session: Session, clock: Clock) -> tuple[dict[str, int], dict[str, int]]:
    """RFM segment and temperature counts over all customers (from the aggregates, one query each)."""
    today = clock.today()
    rows = session.execute(
        select(CustomerStats.order_count, CustomerStats.total_spent, CustomerStats.last_order_at).where(
            CustomerStats.order_count > 0
        )
    ).all()
    segments: Counter[str] = Counter()
    for count, spent, last in rows:
        days = days_since(last, today, clock.tz)
        segments[
            segment_for(recency_score(days), frequency_score(count), monetary_score(float(spent))).value
        ] += 1
    temperatures = dict(
        session.execute(select(Customer.temperature, func.count()).group_by(Customer.temperature)).all()
    )
    return dict(sorted(segments.items())), temperatures
