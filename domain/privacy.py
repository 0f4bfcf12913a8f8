"""Customer data rights: export everything held about a customer, erase it, export the consent log.

* ``export_customer``: one JSON-ready document with every row about a customer and their family
  (profile, family, consent now and its history, orders with items, interactions, notes, tags,
  behaviour, drop-offs, loyalty, tickets, opportunities, segments, the audit trail). Keys follow
  the table's column order, rows their id; datetimes are ISO 8601 in UTC, money is a string.
* ``erase_customer``: the right to be forgotten, in the caller's transaction. Personal fields of
  the customer and their family are nulled or anonymised, free text is redacted, aggregates the
  business may keep (orders, amounts, dates, loyalty points, stats) stay. The customer's status
  becomes ``erased``, which every list, search, resolver and the offline model's catalogue already
  leave out. One audit row says who erased whom, when and why. A second erase changes nothing.
* ``forget_in_index``: drops customer-derived documents from a vector index (none today; the
  hook keeps erasure complete once some exist).
* ``consent_log`` / ``write_consent_csv``: the consent history, for one customer or all.

Free-text rules shared with retention (``domain.retention``) are in ``FREE_TEXT``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import IO, Any, Callable, Iterable, Protocol

from sqlalchemy import String, Table, case, cast, literal, or_, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError, Forbidden, NotFound
from domain.models import (
    AuditLog, BehaviorEvent, ChannelConsent, ConsentEvent, Customer, CustomerStats, Dropoff,
    FamilyMember, IdempotencyRecord, Interaction, LoyaltyAccount, LoyaltyTransaction, Note,
    Opportunity, Order, OrderItem, Segment, SupportTicket, Tag, User, interaction_products,
    segment_members,
)

REDACTED = "[redacted]"
EXPORT_FORMAT = "c360.customer-export/1"
ERASE_ACTION = "customer_erase"
MAX_REASON = 500

# Free text that may hold anything a person said or typed: (model, column, replacement).
# Required columns keep a visible marker; optional ones become NULL.
FREE_TEXT: tuple[tuple[type, str, str | None], ...] = (
    (Note, "body", REDACTED),
    (Interaction, "notes", REDACTED),
    (Interaction, "summary", None),
    (Interaction, "subject", None),
    (Dropoff, "reason", None),
    (Dropoff, "recovery_note", None),
    (SupportTicket, "subject", REDACTED),
    (BehaviorEvent, "query", None),
    (ConsentEvent, "reason", None),
)
# Keys inside audit and idempotency JSON that carry free text (tool arguments and snapshots).
FREE_TEXT_KEYS = frozenset({
    "notes", "note", "summary", "subject", "reason", "body", "query", "incoming_message",
    "recovery_note", "message",
})
# Keys that identify a person; erased along with free text in the audit rows of an erased customer.
PERSONAL_KEYS = FREE_TEXT_KEYS | frozenset({
    "name", "customer_name", "customer", "phone", "email", "address", "date_of_birth",
    "anniversary_date", "profession", "company", "city", "district", "best_time_to_contact",
    "text", "detail", "external_key", "member",
})
# Customer columns nulled on erasure (status, ids, scores and timestamps stay).
CUSTOMER_PERSONAL = (
    "phone", "email", "company", "city", "district", "address", "gender", "date_of_birth",
    "marital_status", "anniversary_date", "profession", "best_time_to_contact", "source",
    "timezone", "language", "quiet_hours_start", "quiet_hours_end", "preferred_channel",
    "external_key",
)
FAMILY_PERSONAL = ("date_of_birth", "anniversary_date", "phone", "email", "gender", "profession")


# ------------------------------------------------------------------------------------ export
def plain(value: Any) -> Any:
    """A column value as JSON: ISO dates and times (UTC for instants), money as an exact string."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(session: Session, table: Table, *where, order_by=None) -> list[dict[str, Any]]:
    query = select(table).where(*where).order_by(*(order_by if order_by is not None else table.primary_key.columns))
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
    for link in _rows(session, interaction_products, interaction_products.c.interaction_id.in_(interaction_ids),
                      order_by=[interaction_products.c.interaction_id, interaction_products.c.product_id]):
        products.setdefault(link["interaction_id"], []).append(link["product_id"])
    segments = session.scalars(
        select(Segment.name).join(segment_members, segment_members.c.segment_id == Segment.id)
        .where(segment_members.c.customer_id == cid).order_by(Segment.name)
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": plain(now),
        "customer_id": cid,
        "customer": _one(session, Customer.__table__, Customer.id == cid),
        "stats": _one(session, CustomerStats.__table__, CustomerStats.customer_id == cid),
        "family": of(FamilyMember),
        "consent": {
            "current": _rows(session, ChannelConsent.__table__, ChannelConsent.customer_id == cid,
                             order_by=[ChannelConsent.channel]),
            "history": _rows(session, ConsentEvent.__table__, ConsentEvent.customer_id == cid,
                             order_by=[ConsentEvent.occurred_at, ConsentEvent.id]),
        },
        "tags": sorted(session.scalars(select(Tag.tag).where(Tag.customer_id == cid))),
        "notes": of(Note),
        "orders": [{**o, "items": items.get(o["id"], [])} for o in of(Order)],
        "interactions": [{**i, "product_ids": products.get(i["id"], [])} for i in of(Interaction)],
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


# ------------------------------------------------------------------------------------- erase
def redact_json(value: Any, keys: frozenset[str]) -> tuple[Any, bool]:
    """``value`` with every non-empty string under one of ``keys`` (at any depth) redacted."""
    if isinstance(value, dict):
        out, changed = {}, False
        for key, item in value.items():
            if key in keys and isinstance(item, str) and item and item != REDACTED:
                out[key], changed = REDACTED, True
            else:
                out[key], sub = redact_json(item, keys)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        pairs = [redact_json(item, keys) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def mentions_customer(value: Any, customer_id: int) -> bool:
    """Whether a JSON value holds ``customer_id: <id>`` at any depth (tool results do)."""
    if isinstance(value, dict):
        return value.get("customer_id") == customer_id or any(
            mentions_customer(v, customer_id) for v in value.values())
    if isinstance(value, list):
        return any(mentions_customer(v, customer_id) for v in value)
    return False


@dataclass(frozen=True)
class Erasure:
    """What ``erase_customer`` did: rows changed per table, or that it had been done before."""

    customer_id: int
    already_erased: bool
    erased_at: datetime | None
    changed: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if self.already_erased:
            when = f" on {self.erased_at:%Y-%m-%d %H:%M} UTC" if self.erased_at else ""
            return f"customer #{self.customer_id} was already erased{when}; nothing changed"
        parts = ", ".join(f"{table} {n}" for table, n in self.changed.items() if n)
        return f"erased customer #{self.customer_id}" + (f" (rows changed: {parts})" if parts else "")


def _check_admin(session: Session, user_id: int | None) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise NotFound(f"no active user with id {user_id} to act as", field="user")
    if user.role != "admin":
        raise Forbidden(
            f"only an admin may erase a customer; {user.name} is {user.role}: ask an admin", field="user"
        )
    return user


def free_text_by_table() -> dict[type, list[tuple[str, str | None]]]:
    """``FREE_TEXT`` grouped by model: ``{Interaction: [("notes", REDACTED), ...], ...}``."""
    by_model: dict[type, list[tuple[str, str | None]]] = {}
    for model, column, replacement in FREE_TEXT:
        by_model.setdefault(model, []).append((column, replacement))
    return by_model


def holds_free_text(model, columns: list[tuple[str, str | None]]):
    """SQL: the row still has text in one of ``columns`` (already-redacted rows are not counted)."""
    return or_(*(
        getattr(model, c).is_not(None) & (getattr(model, c) != REDACTED) if r else getattr(model, c).is_not(None)
        for c, r in columns
    ))


def redact_free_text(session: Session, where: Callable[[type], Any]) -> dict[str, int]:
    """Apply ``FREE_TEXT`` to the rows ``where(model)`` selects in each table; rows changed per table."""
    changed: dict[str, int] = {}
    for model, columns in free_text_by_table().items():
        values = {
            c: literal(None, getattr(model, c).type) if r is None
            else case((getattr(model, c).is_(None), None), else_=literal(r, getattr(model, c).type))
            for c, r in columns
        }
        result = session.execute(
            update(model).where(where(model), holds_free_text(model, columns)).values(values)
            .execution_options(synchronize_session=False)
        )
        changed[model.__tablename__] = result.rowcount
    return changed


def erase_customer(
    session: Session, customer_id: int, *, reason: str, user_id: int | None, now: datetime,
    request_id: str | None = None,
) -> Erasure:
    """Erase a customer and their family (admin only); the caller commits. See the module docstring."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("give a reason for the erasure (for example the customer's request)", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"the reason is longer than {MAX_REASON} characters; shorten it", field="reason")
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    admin = _check_admin(session, user_id)
    customer = session.get(Customer, customer_id, with_for_update={"of": Customer}, populate_existing=True)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}", field="customer_id")
    if customer.status == "erased":
        return Erasure(customer_id, True, customer.erased_at)

    cid = customer.id
    before = {"status": customer.status}
    changed = redact_free_text(session, lambda model: model.customer_id == cid)
    for name in CUSTOMER_PERSONAL:
        setattr(customer, name, None)
    customer.name = f"Erased customer #{cid}"
    customer.status, customer.erased_at, customer.updated_at = "erased", now, now
    changed["customers"] = 1
    changed["family_members"] = session.execute(
        update(FamilyMember).where(FamilyMember.customer_id == cid)
        .values(name="Erased family member", name_key=literal("erased-") + cast(FamilyMember.id, String),
                **{c: None for c in FAMILY_PERSONAL})
        .execution_options(synchronize_session=False)
    ).rowcount
    changed["opportunities"] = session.execute(
        update(Opportunity).where(Opportunity.customer_id == cid, Opportunity.name != REDACTED)
        .values(name=REDACTED).execution_options(synchronize_session=False)
    ).rowcount
    changed["tags"] = session.execute(
        Tag.__table__.delete().where(Tag.customer_id == cid)).rowcount
    changed["segment_members"] = session.execute(
        segment_members.delete().where(segment_members.c.customer_id == cid)).rowcount
    changed["audit_log"] = _redact_audit(session, cid)
    changed["idempotency_records"] = _forget_idempotency(session, cid)
    session.add(AuditLog(
        occurred_at=now, user_id=admin.id, action=ERASE_ACTION, entity="customer", entity_id=cid,
        customer_id=cid, arguments={"reason": reason}, before=before,
        after={"status": "erased", "erased_at": plain(now), "changed": dict(sorted(changed.items()))},
        request_id=request_id,
    ))
    session.flush()
    session.expire_all()  # the bulk updates bypassed the identity map
    return Erasure(cid, False, now, dict(sorted(changed.items())))


def _redact_audit(session: Session, customer_id: int) -> int:
    rows = session.execute(
        select(AuditLog.id, AuditLog.arguments, AuditLog.before, AuditLog.after)
        .where(AuditLog.customer_id == customer_id)
    ).all()
    updates = []
    for row in rows:
        parts = {name: redact_json(getattr(row, name), PERSONAL_KEYS) for name in ("arguments", "before", "after")}
        if any(changed for _, changed in parts.values()):
            updates.append({"id": row.id, **{name: value for name, (value, _) in parts.items()}})
    if updates:
        session.execute(update(AuditLog), updates)
    return len(updates)


def _forget_idempotency(session: Session, customer_id: int) -> int:
    """Replace the stored results of writes about the customer with an 'erased' error.

    A retry with such a key then answers "erased" instead of replaying personal data. Candidates
    come from the customer's interaction keys and a text pre-filter on the JSON; each is confirmed
    by reading the JSON, so a customer id that is a prefix of another never matches.
    """
    text = cast(IdempotencyRecord.result, String)
    own_keys = set(session.scalars(select(Interaction.idempotency_key).where(
        Interaction.customer_id == customer_id, Interaction.idempotency_key.is_not(None))))
    rows = session.execute(
        select(IdempotencyRecord.key, IdempotencyRecord.result).where(or_(
            IdempotencyRecord.key.in_(select(Interaction.idempotency_key).where(
                Interaction.customer_id == customer_id)),
            text.like(f'%"customer_id": {customer_id},%'),
            text.like(f'%"customer_id": {customer_id}}}%'),
        ))
    ).all()
    erased = {"ok": False, "error": "not_found",
              "message": f"customer #{customer_id} was erased; this write's result was removed"}
    updates = [{"key": r.key, "result": erased} for r in rows
               if r.result != erased and (r.key in own_keys or mentions_customer(r.result, customer_id))]
    if updates:
        session.execute(update(IdempotencyRecord), updates)
    return len(updates)


class VectorIndex(Protocol):
    """What ``forget_in_index`` needs of ``domain.retrieval.ReplyIndex``."""

    collection: Any

    def remove(self, doc_ids: list[str]) -> None: ...


def forget_in_index(index: VectorIndex, customer_ids: Iterable[int]) -> int:
    """Remove every indexed document derived from these customers (metadata ``customer_id``).

    The reply index holds only templates and business snippets today, so this normally finds
    nothing; it exists so that an index of customer-derived text can never outlive an erasure.
    Returns the number of documents removed.
    """
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return 0
    held = index.collection.get(where={"customer_id": {"$in": ids}}, include=["metadatas"])
    doc_ids = sorted({f"{m['kind']}:{m['key']}" for m in held["metadatas"] if m and "kind" in m and "key" in m})
    if doc_ids:
        index.remove(doc_ids)
    stray = [i for i, m in zip(held["ids"], held["metadatas"]) if not (m and "kind" in m and "key" in m)]
    if stray:  # entries without the reply index's kind/key metadata: delete them by entry id
        index.collection.delete(ids=stray)
    return len(doc_ids) + len(stray)


# ------------------------------------------------------------------------------- consent log
CONSENT_COLUMNS = ("customer_id", "customer_name", "channel", "opted_in", "source", "reason",
                   "changed_by", "occurred_at")


def consent_log(session: Session, customer_id: int | None = None) -> list[dict[str, Any]]:
    """Every consent change, oldest first per customer; one customer's or everybody's."""
    query = (
        select(ConsentEvent.customer_id, Customer.name.label("customer_name"), ConsentEvent.channel,
               ConsentEvent.opted_in, ConsentEvent.source, ConsentEvent.reason,
               User.name.label("changed_by"), ConsentEvent.occurred_at)
        .join(Customer, Customer.id == ConsentEvent.customer_id)
        .outerjoin(User, User.id == ConsentEvent.user_id)
        .order_by(ConsentEvent.customer_id, ConsentEvent.occurred_at, ConsentEvent.id)
    )
    if customer_id is not None:
        if session.get(Customer, customer_id) is None:
            raise NotFound(f"no customer with id {customer_id}", field="customer_id")
        query = query.where(ConsentEvent.customer_id == customer_id)
    return [{k: plain(v) for k, v in row.items()} for row in session.execute(query).mappings()]


def write_consent_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write consent-log rows as CSV with a header line; returns the number of rows written."""
    writer = csv.DictWriter(out, fieldnames=CONSENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
        n += 1
    return n
