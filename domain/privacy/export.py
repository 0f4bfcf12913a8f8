"""Everything held about a customer and their family, as one JSON-ready document.

Keys follow each table's column order and rows their id (or time), so two exports of the same
data are identical; datetimes are ISO 8601 in UTC, dates ISO, money an exact string.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import (
    AuditLog,
    BehaviorEvent,
    ChannelConsent,
    ConsentEvent,
    Customer,
    CustomerStats,
    Dropoff,
    FamilyMember,
    FollowUp,
    Interaction,
    LoyaltyAccount,
    LoyaltyTransaction,
    Note,
    Opportunity,
    Order,
    OrderItem,
    Segment,
    SupportTicket,
    Tag,
    interaction_products,
    segment_members,
)
from domain.privacy.redaction import plain

EXPORT_FORMAT = "c360.customer-export/1"


def _rows(session: Session, table: Table, *where, order_by=None) -> list[dict[str, Any]]:
    query = (
        select(table)
        .where(*where)
        .order_by(*(order_by if order_by is not None else table.primary_key.columns))
    )
    return [{k: plain(v) for k, v in row.items()} for row in session.execute(query).mappings()]


def _one(session: Session, table: Table, *where) -> dict[str, Any] | None:
    rows = _rows(session, table, *where)
    return rows[0] if rows else None


def export_customer(session: Session, customer_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything held about a customer and their family, as one JSON-ready dict (erased ones too)."""
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"no customer with id {customer_id}", field="customer_id")
    cid = customer_id

    def of(model):
        return _rows(session, model.__table__, model.__table__.c.customer_id == cid)

    order_ids = select(Order.id).where(Order.customer_id == cid).scalar_subquery()
    items: dict[int, list] = {}
    for item in _rows(session, OrderItem.__table__, OrderItem.order_id.in_(order_ids)):
        items.setdefault(item["order_id"], []).append(item)
    interaction_ids = select(Interaction.id).where(Interaction.customer_id == cid).scalar_subquery()
    products: dict[int, list[int]] = {}
    for link in _rows(
        session,
        interaction_products,
        interaction_products.c.interaction_id.in_(interaction_ids),
        order_by=[interaction_products.c.interaction_id, interaction_products.c.product_id],
    ):
        products.setdefault(link["interaction_id"], []).append(link["product_id"])
    segments = session.scalars(
        select(Segment.name)
        .join(segment_members, segment_members.c.segment_id == Segment.id)
        .where(segment_members.c.customer_id == cid)
        .order_by(Segment.name)
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": plain(now),
        "customer_id": cid,
        "customer": _one(session, Customer.__table__, Customer.id == cid),
        "stats": _one(session, CustomerStats.__table__, CustomerStats.customer_id == cid),
        "family": of(FamilyMember),
        "consent": {
            "current": _rows(
                session,
                ChannelConsent.__table__,
                ChannelConsent.customer_id == cid,
                order_by=[ChannelConsent.channel],
            ),
            "history": _rows(
                session,
                ConsentEvent.__table__,
                ConsentEvent.customer_id == cid,
                order_by=[ConsentEvent.occurred_at, ConsentEvent.id],
            ),
        },
        "tags": sorted(session.scalars(select(Tag.tag).where(Tag.customer_id == cid))),
        "notes": of(Note),
        "orders": [{**o, "items": items.get(o["id"], [])} for o in of(Order)],
        "interactions": [{**i, "product_ids": products.get(i["id"], [])} for i in of(Interaction)],
        "follow_ups": of(FollowUp),
        "behaviour": of(BehaviorEvent),
        "dropoffs": of(Dropoff),
        "loyalty": {
            "account": _one(session, LoyaltyAccount.__table__, LoyaltyAccount.customer_id == cid),
            "transactions": of(LoyaltyTransaction),
        },
        "tickets": of(SupportTicket),
        "opportunities": of(Opportunity),
        "segments": list(segments),
        "audit": of(AuditLog),
    }
