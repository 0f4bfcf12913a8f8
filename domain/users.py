"""c360 users and their API tokens: create users, issue, check and revoke bearer tokens.

A token is ``secrets.token_urlsafe(32)``, shown once when issued; only its SHA-256 hash is stored
(``api_tokens.token_hash``), so a leaked database does not leak working tokens. Each change is
written to the audit log like any other write.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.enums import Role, values
from domain.errors import Conflict, DomainError, NotFound
from domain.models import ApiToken, AuditLog, User

TOKEN_BYTES = 32
MAX_NAME = 120
DEMO_USER = "Demo Agent"  # who the web page acts as in demo mode: an agent, never a manager or admin
DEMO_LIVE_TOKENS = 20  # demo tokens kept valid at once; issuing another revokes the oldest


@dataclass(frozen=True)
class UserInfo:
    """A user as the channels see it (no ORM object escapes a session)."""

    id: int
    name: str
    role: Role
    slack_user_id: str | None
    email: str | None
    is_active: bool
    live_tokens: int = 0


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``token`` is the only copy of the secret; it is never shown again."""

    user: UserInfo
    token: str
    token_id: int


def hash_token(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(user: User, live_tokens: int = 0) -> UserInfo:
    return UserInfo(id=user.id, name=user.name, role=Role(user.role), slack_user_id=user.slack_user_id,
                    email=user.email, is_active=user.is_active, live_tokens=live_tokens)


def _audit(session: Session, action: str, user: User, actor_id: int | None, after: dict) -> None:
    session.add(AuditLog(user_id=actor_id, action=action, entity="user", entity_id=user.id, arguments=None,
                         before=None, after=after))


def find_user(session: Session, name: str) -> User:
    """The user with this name (case-insensitive, spaces trimmed), or NotFound listing the users."""
    key = " ".join(str(name).split()).lower()
    user = session.scalar(select(User).where(func.lower(User.name) == key))
    if user is None:
        known = ", ".join(session.scalars(select(User.name).order_by(User.id).limit(20))) or "none yet"
        raise NotFound(f"no user named {name!r}; the users are: {known}", field="name")
    return user


def create_user(session: Session, name: str, role: str = "agent", *, slack_user_id: str | None = None,
                email: str | None = None, now: datetime, actor_id: int | None = None) -> UserInfo:
    """Add a user; a clear error for an empty or taken name, an unknown role or a taken Slack id."""
    clean = " ".join(str(name or "").split())
    if not clean:
        raise DomainError("a user needs a name, e.g. \"Rina Akter\"", field="name")
    if len(clean) > MAX_NAME:
        raise DomainError(f"the name is {len(clean)} characters; at most {MAX_NAME}", field="name")
    if role not in values(Role):
        raise DomainError(f"unknown role {role!r}: use one of {', '.join(values(Role))}", field="role")
    slack = (slack_user_id or "").strip() or None
    if session.scalar(select(User.id).where(func.lower(User.name) == clean.lower())) is not None:
        raise Conflict(f"a user named {clean!r} already exists; issue a new token with `c360 users token`",
                       field="name")
    if slack and session.scalar(select(User.name).where(User.slack_user_id == slack)) is not None:
        owner = session.scalar(select(User.name).where(User.slack_user_id == slack))
        raise Conflict(f"Slack id {slack} already belongs to {owner}", field="slack_id")
    user = User(name=clean, role=role, slack_user_id=slack, email=(email or "").strip().lower() or None,
                created_at=now)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same name or Slack id
        raise Conflict(f"a user named {clean!r} or with Slack id {slack} already exists") from exc
    _audit(session, "users.add", user, actor_id, {"name": clean, "role": role, "slack_user_id": slack})
    return _info(user)


SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
UNCHANGED = object()


def clean_slack_id(value: str | None) -> str | None:
    """A Slack user id (U... or W..., as Slack shows it under the profile's "Copy member ID"); "" or
    "none" unlinks."""
    text = (value or "").strip()
    if text.lower() in ("", "none", "-"):
        return None
    if not SLACK_ID.fullmatch(text.upper()):
        raise DomainError(f"Slack id {value!r} is not a member id like U0123ABCD (in Slack: the person's "
                          "profile, ⋮, Copy member ID)", field="slack_id")
    return text.upper()


def update_user(session: Session, name: str, *, role=UNCHANGED, slack_user_id=UNCHANGED, email=UNCHANGED,
                active=UNCHANGED, now: datetime, actor_id: int | None = None) -> UserInfo:
    """Change an existing user's role, Slack link, email or active flag (only what is given); audited.
    A Slack id already linked to someone else is a Conflict naming them."""
    user = session.get(User, find_user(session, name).id, with_for_update=True)
    before = {"role": user.role, "slack_user_id": user.slack_user_id, "email": user.email,
              "is_active": user.is_active}
    if role is not UNCHANGED:
        if role not in values(Role):
            raise DomainError(f"unknown role {role!r}: use one of {', '.join(values(Role))}", field="role")
        user.role = role
    if slack_user_id is not UNCHANGED:
        slack = clean_slack_id(slack_user_id)
        owner = session.scalar(select(User.name).where(User.slack_user_id == slack, User.id != user.id)) \
            if slack else None
        if owner:
            raise Conflict(f"Slack id {slack} already belongs to {owner}; unlink it there first "
                           f"(c360 users update \"{owner}\" --slack-id none)", field="slack_id")
        user.slack_user_id = slack
    if email is not UNCHANGED:
        text = (email or "").strip().lower()
        if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise DomainError(f"email {email!r} is not an email address", field="email")
        user.email = text or None
    if active is not UNCHANGED:
        user.is_active = bool(active)
    after = {"role": user.role, "slack_user_id": user.slack_user_id, "email": user.email,
             "is_active": user.is_active}
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent link of the same Slack id
        raise Conflict(f"Slack id {user.slack_user_id} was just linked to someone else", field="slack_id") from exc
    if after != before:
        session.add(AuditLog(user_id=actor_id, action="users.update", entity="user", entity_id=user.id,
                             arguments=None, before=before, after=after))
    return _info(user)


def issue_token(session: Session, user: User | UserInfo, *, now: datetime, actor_id: int | None = None) -> IssuedToken:
    """A new bearer token for the user (their other tokens stay valid)."""
    row = session.get(User, user.id)
    if row is None or not row.is_active:
        raise DomainError(f"user {user.name!r} is not active; tokens are only issued to active users")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    record = ApiToken(user_id=row.id, token_hash=hash_token(token), created_at=now)
    session.add(record)
    session.flush()
    _audit(session, "users.token", row, actor_id, {"token_id": record.id})
    return IssuedToken(user=_info(row, 1), token=token, token_id=record.id)


def revoke_tokens(session: Session, user: User | UserInfo, *, now: datetime, token: str | None = None,
                  actor_id: int | None = None) -> int:
    """Revoke one token of the user (``token`` given) or all their live tokens; returns how many."""
    query = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token is not None:
        query = query.where(ApiToken.token_hash == hash_token(token.strip()))
    count = session.execute(query.values(revoked_at=now)).rowcount or 0
    if token is not None and count == 0:
        raise NotFound(f"that token is not a live token of {user.name}", field="token")
    row = session.get(User, user.id)
    _audit(session, "users.revoke_token", row, actor_id, {"revoked": count})
    return count


def authenticate(session: Session, token: str | None) -> UserInfo | None:
    """The active user holding this live token; None for no token, an unknown or a revoked one."""
    if not token:
        return None
    user = session.scalar(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.is_active.is_(True))
    )
    return _info(user) if user is not None else None


def list_users(session: Session) -> list[UserInfo]:
    """Every user with their count of live tokens, in creation order."""
    live = (select(ApiToken.user_id, func.count().label("n")).where(ApiToken.revoked_at.is_(None))
            .group_by(ApiToken.user_id).subquery())
    rows = session.execute(select(User, func.coalesce(live.c.n, 0)).outerjoin(live, live.c.user_id == User.id)
                           .order_by(User.id)).all()
    return [_info(user, int(n)) for user, n in rows]


def get_user(session: Session, user_id: int) -> UserInfo | None:
    row = session.get(User, user_id)
    return _info(row) if row is not None else None


def ensure_demo_user(session: Session, *, now: datetime) -> UserInfo:
    """The dedicated demo agent, created when absent (for ``c360 serve --demo``)."""
    user = session.scalar(select(User).where(User.name == DEMO_USER))
    if user is None:
        return create_user(session, DEMO_USER, "agent", now=now)
    if user.role != Role.agent.value:
        # never hand out a manager's or admin's identity through the unauthenticated demo endpoint
        raise DomainError(f"user {DEMO_USER!r} exists with role {user.role}; the demo user must be an agent")
    return _info(user)


def issue_demo_token(session: Session, *, now: datetime) -> IssuedToken:
    """A token for the demo agent; keeps at most DEMO_LIVE_TOKENS live, revoking the oldest."""
    user = ensure_demo_user(session, now=now)
    issued = issue_token(session, user, now=now)
    keep = select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)) \
        .order_by(ApiToken.id.desc()).limit(DEMO_LIVE_TOKENS)
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                           ApiToken.id.not_in(keep.scalar_subquery()))
                    .values(revoked_at=now))
    return issued


def default_user(session: Session) -> UserInfo:
    """Who the terminal acts as without ``--as``: the oldest active admin, else the only active user."""
    admin = session.scalar(select(User).where(User.role == Role.admin.value, User.is_active.is_(True))
                           .order_by(User.id).limit(1))
    if admin is not None:
        return _info(admin)
    active = list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id).limit(2)))
    if len(active) == 1:
        return _info(active[0])
    if not active:
        raise NotFound("there are no users yet: add one with `c360 users add \"Your Name\" --role admin`")
    raise DomainError("several users and no admin: say who you are with --as NAME", field="as")
