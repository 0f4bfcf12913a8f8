"""Adding and removing a customer's tags in one step, saying what was already so.

Tags are stored normalised (``domain.customers.normalize_tag``: lower case, spaces as hyphens,
at most 50 characters) and unique per customer. Adding a tag the customer has, or removing one
they do not have, changes nothing and is reported as such; naming a tag in both lists is an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.customers import normalize_tag
from domain.errors import DomainError
from domain.interactions import lock_customer
from domain.models import Tag

MAX_TAGS_PER_CALL = 20


@dataclass
class TagChange:
    before: list[str]
    after: list[str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    not_present: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def clean_tag_lists(add: Iterable[str], remove: Iterable[str]) -> tuple[list[str], list[str]]:
    """Both lists normalised and de-duplicated (order kept); errors name ``add`` or ``remove``."""
    lists = []
    for name, raw in (("add", add), ("remove", remove)):
        seen: list[str] = []
        for tag in raw or []:
            text = normalize_tag(tag, field=name)
            if text not in seen:
                seen.append(text)
        lists.append(seen)
    adding, removing = lists
    if not adding and not removing:
        raise DomainError("give at least one tag to add or to remove", field="add")
    if len(adding) + len(removing) > MAX_TAGS_PER_CALL:
        raise DomainError(f"at most {MAX_TAGS_PER_CALL} tags at once", field="add")
    both = [t for t in adding if t in removing]
    if both:
        raise DomainError(f"{', '.join(both)} is both added and removed; choose one", field="remove")
    return adding, removing


def change_tags(session: Session, customer_id: int, add: Iterable[str] = (),
                remove: Iterable[str] = ()) -> TagChange:
    """Apply both lists to one customer (flushes; the caller commits)."""
    adding, removing = clean_tag_lists(add, remove)
    customer = lock_customer(session, customer_id)
    rows = {row.tag: row for row in session.scalars(select(Tag).where(Tag.customer_id == customer.id))}
    change = TagChange(before=sorted(rows), after=[])
    for tag in adding:
        if tag in rows:
            change.already_present.append(tag)
        else:
            session.add(Tag(customer_id=customer.id, tag=tag))
            change.added.append(tag)
    for tag in removing:
        if tag in rows:
            session.delete(rows.pop(tag))
            change.removed.append(tag)
        else:
            change.not_present.append(tag)
    session.flush()
    if change.added or change.removed:  # do-not-call takes a customer off the call list
        from domain.call_priority.stored import refresh_scores

        refresh_scores(session, [customer.id])
    change.after = sorted({*rows, *change.added})
    return change


def customer_tags(session: Session, customer_id: int) -> list[str]:
    return list(session.scalars(select(Tag.tag).where(Tag.customer_id == customer_id).order_by(Tag.tag)))
