"""What identifies a customer in free text, and the audit row of forgetting their conversations.

Erasure reaches the assistant's stored conversations (``agent.checkpoint.forget_customer``) by
finding every thread that mentions the customer. Their id is not enough (the user typed a name or
a phone number), so the identifying strings are read here, *before* the erasure nulls them, and
handed to the agent layer; nothing here keeps them.
"""
from __future__ import annotations

from datetime import datetime

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import AuditLog, Customer, FamilyMember
from domain.phone import display_phone

THREADS_ACTION = "customer_erase_threads"


def _phone_forms(e164: str | None) -> list[str]:
    if not e164:
        return []
    try:
        local = display_phone(e164)
    except phonenumbers.NumberParseException:  # a stored value that is not E.164: match it as written
        return [e164]
    return [e164, local, local.replace("-", "")]


def identifying_terms(session: Session, customer_id: int) -> list[str]:
    """The customer's and their family's names, phones (E.164 and local forms) and emails.

    Sorted and without duplicates; an erased customer has none left (their id still identifies them).
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}", field="customer_id")
    if customer.status == "erased":  # erasure took the family's personal fields with the customer's
        return []
    terms = {t for t in (customer.name, customer.email) if t}
    terms.update(_phone_forms(customer.phone))
    family = session.execute(
        select(FamilyMember.name, FamilyMember.phone, FamilyMember.email).where(
            FamilyMember.customer_id == customer_id
        )
    ).all()
    for name, phone, email in family:
        terms.update(t for t in (name, email) if t)
        terms.update(_phone_forms(phone))
    return sorted(t.strip() for t in terms if t.strip())


def record_forgotten_threads(
    session: Session,
    customer_id: int,
    *,
    deleted: int,
    user_id: int | None,
    now: datetime,
    request_id: str | None = None,
) -> AuditLog:
    """One audit row: how many conversation threads about the customer were deleted, by whom; the caller commits."""
    row = AuditLog(
        occurred_at=now,
        user_id=user_id,
        action=THREADS_ACTION,
        entity="customer",
        entity_id=customer_id,
        customer_id=customer_id,
        arguments=None,
        before=None,
        after={"threads_deleted": deleted},
        request_id=request_id,
    )
    session.add(row)
    session.flush()
    return row
