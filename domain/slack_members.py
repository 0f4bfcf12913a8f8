"""Matching Slack workspace members to c360 users by email (``c360 users sync-slack``).

A user with an email and no Slack id is linked to the one active, human member with that email;
nobody already linked is relinked, and a member already linked to someone else is reported, not
moved. Each link goes through ``update_user`` (validated, audited), in the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import User
from domain.users import update_user


@dataclass(frozen=True)
class Member:
    """A Slack workspace member as ``users.list`` describes them."""

    id: str
    email: str | None
    name: str = ""
    deleted: bool = False
    is_bot: bool = False


@dataclass
class SyncReport:
    linked: list[str] = field(default_factory=list)  # "Rina Akter -> U0123"
    already: list[str] = field(default_factory=list)  # linked before
    no_email: list[str] = field(default_factory=list)  # c360 users without an email to match on
    not_found: list[str] = field(default_factory=list)  # no member with their email
    conflicts: list[str] = field(default_factory=list)  # "Rina Akter: U0123 is linked to Karim Hasan"


def member_from_slack(raw: dict) -> Member:
    profile = raw.get("profile") or {}
    return Member(id=str(raw.get("id") or ""), email=(profile.get("email") or "").strip().lower() or None,
                  name=str(profile.get("real_name") or raw.get("real_name") or raw.get("name") or ""),
                  deleted=bool(raw.get("deleted")), is_bot=bool(raw.get("is_bot")) or raw.get("id") == "USLACKBOT")


def sync_members(session: Session, members: Iterable[Member], *, now: datetime, dry_run: bool = False,
                 actor_id: int | None = None) -> SyncReport:
    people: dict[str, list[Member]] = {}
    for m in members:
        if m.id and m.email and not m.deleted and not m.is_bot:
            people.setdefault(m.email, []).append(m)
    linked_to = dict(session.execute(select(User.slack_user_id, User.name)
                                     .where(User.slack_user_id.is_not(None))).all())
    report = SyncReport()
    for user in session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)).all():
        if user.slack_user_id:
            report.already.append(f"{user.name} ({user.slack_user_id})")
            continue
        if not user.email:
            report.no_email.append(user.name)
            continue
        found = people.get(user.email.lower(), [])
        if len(found) != 1:
            report.not_found.append(f"{user.name} <{user.email}>" + (" (several members)" if found else ""))
            continue
        member = found[0]
        if member.id in linked_to:
            report.conflicts.append(f"{user.name}: {member.id} is linked to {linked_to[member.id]}")
            continue
        if not dry_run:
            update_user(session, user.name, slack_user_id=member.id, now=now, actor_id=actor_id)
        linked_to[member.id] = user.name
        report.linked.append(f"{user.name} -> {member.id}")
    return report
