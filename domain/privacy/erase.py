"""The right to be forgotten: erase a customer and their family, keeping what the business may keep.

In the caller's transaction: personal fields of the customer and their family are nulled or
anonymised (the name becomes "Erased customer #ID"), free text is redacted (``redaction``),
tags and segment memberships go, the personal values inside the customer's audit rows and the
stored results of writes about them are redacted; orders, amounts, dates, loyalty points and the
aggregates stay. Status ``erased`` is what every list, search, resolver and the offline model's
catalogue already leave out. One audit row says who erased whom, when and why; erasing again
changes nothing and says when it was done. Only an admin may erase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import String, cast, literal, or_, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError, Forbidden, NotFound
from domain.models import (
    AuditLog,
    Customer,
    FamilyMember,
    IdempotencyRecord,
    Interaction,
    Opportunity,
    Tag,
    User,
    segment_members,
)
from domain.models.base import personal_columns
from domain.privacy.redaction import PERSONAL_KEYS, REDACTED, plain, redact_free_text, redact_json

ERASE_ACTION = "customer_erase"
MAX_REASON = 500
# The personal columns are declared once, on the models (``info=PERSONAL``); erasure nulls the
# nullable ones and replaces the required ones (a name) with a placeholder.
CUSTOMER_PERSONAL = tuple(c for c in personal_columns(Customer) if c != "name")
FAMILY_PERSONAL = tuple(c for c in personal_columns(FamilyMember) if c not in ("name", "name_key"))


def mentions_customer(value: Any, customer_id: int) -> bool:
    """Whether a JSON value holds ``customer_id: <id>`` at any depth (tool results do)."""
    if isinstance(value, dict):
        return value.get("customer_id") == customer_id or any(
            mentions_customer(v, customer_id) for v in value.values()
        )
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
        return f"erased customer #{self.customer_id}" + (
            f" (rows changed: {parts})" if parts else ""
        )


def _check_admin(session: Session, user_id: int | None) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise NotFound(f"no active user with id {user_id} to act as", field="user")
    if user.role != "admin":
        raise Forbidden(
            f"only an admin may erase a customer; {user.name} is {user.role}: ask an admin",
            field="user",
        )
    return user


def erase_customer(
    session: Session,
    customer_id: int,
    *,
    reason: str,
    user_id: int | None,
    now: datetime,
    request_id: str | None = None,
) -> Erasure:
    """Erase a customer and their family (admin only); the caller commits. See the module docstring."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "give a reason for the erasure (for example the customer's request)", field="reason"
        )
    if len(reason) > MAX_REASON:
        raise DomainError(
            f"the reason is longer than {MAX_REASON} characters; shorten it", field="reason"
        )
    if now.tzinfo is None:
        raise DomainError("now must carry a time zone", field="now")
    admin = _check_admin(session, user_id)
    customer = session.get(
        Customer, customer_id, with_for_update={"of": Customer}, populate_existing=True
    )
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
        update(FamilyMember)
        .where(FamilyMember.customer_id == cid)
        .values(
            name="Erased family member",
            name_key=literal("erased-") + cast(FamilyMember.id, String),
            **{c: None for c in FAMILY_PERSONAL},
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    changed["opportunities"] = session.execute(
        update(Opportunity)
        .where(Opportunity.customer_id == cid, Opportunity.name != REDACTED)
        .values(name=REDACTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    changed["tags"] = session.execute(Tag.__table__.delete().where(Tag.customer_id == cid)).rowcount
    changed["segment_members"] = session.execute(
        segment_members.delete().where(segment_members.c.customer_id == cid)
    ).rowcount
    changed["audit_log"] = _redact_audit(session, cid)
    changed["idempotency_records"] = _forget_idempotency(session, cid)
    session.add(
        AuditLog(
            occurred_at=now,
            user_id=admin.id,
            action=ERASE_ACTION,
            entity="customer",
            entity_id=cid,
            customer_id=cid,
            arguments={"reason": reason},
            before=before,
            after={
                "status": "erased",
                "erased_at": plain(now),
                "changed": dict(sorted(changed.items())),
            },
            request_id=request_id,
        )
    )
    session.flush()
    session.expire_all()  # the bulk updates bypassed the identity map
    from domain.call_priority.stored import refresh_scores  # off the call list and the RFM counts

    refresh_scores(session, [cid])
    return Erasure(cid, False, now, dict(sorted(changed.items())))


def _redact_audit(session: Session, customer_id: int) -> int:
    rows = session.execute(
        select(AuditLog.id, AuditLog.arguments, AuditLog.before, AuditLog.after).where(
            AuditLog.customer_id == customer_id
        )
    ).all()
    updates = []
    for row in rows:
        parts = {
            name: redact_json(getattr(row, name), PERSONAL_KEYS)
            for name in ("arguments", "before", "after")
        }
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
    own_keys = set(
        session.scalars(
            select(Interaction.idempotency_key).where(
                Interaction.customer_id == customer_id, Interaction.idempotency_key.is_not(None)
            )
        )
    )
    rows = session.execute(
        select(IdempotencyRecord.key, IdempotencyRecord.result).where(
            or_(
                IdempotencyRecord.key.in_(
                    select(Interaction.idempotency_key).where(
                        Interaction.customer_id == customer_id
                    )
                ),
                text.like(f'%"customer_id": {customer_id},%'),
                text.like(f'%"customer_id": {customer_id}}}%'),
            )
        )
    ).all()
    erased = {
        "ok": False,
        "error": "not_found",
        "message": f"customer #{customer_id} was erased; this write's result was removed",
    }
    updates = [
        {"key": r.key, "result": erased}
        for r in rows
        if r.result != erased and (r.key in own_keys or mentions_customer(r.result, customer_id))
    ]
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
    doc_ids = sorted(
        {f"{m['kind']}:{m['key']}" for m in held["metadatas"] if m and "kind" in m and "key" in m}
    )
    if doc_ids:
        index.remove(doc_ids)
    stray = [
        i for i, m in zip(held["ids"], held["metadatas"]) if not (m and "kind" in m and "key" in m)
    ]
    if stray:  # entries without the reply index's kind/key metadata: delete them by entry id
        index.collection.delete(ids=stray)
    return len(doc_ids) + len(stray)
