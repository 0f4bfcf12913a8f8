"""Users and API tokens: hashed storage, authentication, revocation, the demo agent."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.errors import Conflict, DomainError, NotFound
from domain.models import ApiToken, AuditLog
from domain.users import (
    DEMO_LIVE_TOKENS,
    DEMO_USER,
    authenticate,
    create_user,
    default_user,
    ensure_demo_user,
    find_user,
    hash_token,
    issue_demo_token,
    issue_token,
    list_users,
    revoke_tokens,
)
from tests.factories import make_user


def test_a_token_is_stored_only_as_its_hash(session, clock):
    user = create_user(session, "  Rina   Akter ", "agent", slack_user_id="U123", now=clock.now())
    issued = issue_token(session, user, now=clock.now())
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hash_token(issued.token)]
    assert issued.token not in stored[0] and len(issued.token) >= 40
    assert user.name == "Rina Akter" and user.slack_user_id == "U123"
    assert authenticate(session, issued.token).id == user.id
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("users.%"))) == 2


def test_wrong_revoked_and_inactive_tokens_do_not_authenticate(session, clock):
    rina = create_user(session, "Rina Akter", now=clock.now())
    one, two = (issue_token(session, rina, now=clock.now()).token for _ in range(2))
    assert authenticate(session, None) is None
    assert authenticate(session, "") is None
    assert authenticate(session, one + "x") is None
    assert revoke_tokens(session, rina, now=clock.now(), token=one) == 1
    assert authenticate(session, one) is None
    assert authenticate(session, two).name == "Rina Akter"
    with pytest.raises(NotFound, match="not a live token"):
        revoke_tokens(session, rina, now=clock.now(), token=one)
    find_user(session, "rina akter").is_active = False
    session.flush()
    assert authenticate(session, two) is None


def test_revoke_all_and_list_counts_live_tokens(session, clock):
    rina = create_user(session, "Rina Akter", now=clock.now())
    karim = create_user(session, "Karim Hasan", "manager", now=clock.now())
    for _ in range(3):
        issue_token(session, rina, now=clock.now())
    issue_token(session, karim, now=clock.now())
    assert revoke_tokens(session, rina, now=clock.now()) == 3
    assert [(u.name, u.role.value, u.live_tokens) for u in list_users(session)] == [
        ("Rina Akter", "agent", 0), ("Karim Hasan", "manager", 1)]


@pytest.mark.parametrize("name, role, slack, error, words", [
    ("", "agent", None, DomainError, "needs a name"),
    ("x" * 121, "agent", None, DomainError, "at most 120"),
    ("New Person", "boss", None, DomainError, "agent, manager, admin"),
    ("rina akter", "agent", None, Conflict, "already exists"),
    ("New Person", "agent", "U1", Conflict, "already belongs to Rina Akter"),
])
def test_bad_users_are_refused_and_nothing_is_written(session, clock, name, role, slack, error, words):
    create_user(session, "Rina Akter", slack_user_id="U1", now=clock.now())
    with pytest.raises(error, match=words):
        create_user(session, name, role, slack_user_id=slack, now=clock.now())
    assert len(list_users(session)) == 1


def test_find_user_names_the_users_when_not_found(session, clock):
    create_user(session, "Rina Akter", now=clock.now())
    with pytest.raises(NotFound, match="Rina Akter"):
        find_user(session, "Nobody")


def test_default_user_is_the_oldest_admin_or_the_only_user(session, clock):
    with pytest.raises(NotFound, match="c360 users add"):
        default_user(session)
    make_user(session, "Rina Akter")
    assert default_user(session).name == "Rina Akter"
    make_user(session, "Karim Hasan")
    with pytest.raises(DomainError, match="--as"):
        default_user(session)
    make_user(session, "Admin", role="admin")
    make_user(session, "Second Admin", role="admin")
    assert default_user(session).name == "Admin"


def test_demo_tokens_are_for_an_agent_and_capped(session, clock):
    tokens = [issue_demo_token(session, now=clock.now()).token for _ in range(DEMO_LIVE_TOKENS + 3)]
    demo = find_user(session, DEMO_USER)
    assert demo.role == "agent"
    assert [authenticate(session, t) is not None for t in tokens[:3]] == [False] * 3
    assert all(authenticate(session, t).name == DEMO_USER for t in tokens[3:])
    assert ensure_demo_user(session, now=clock.now()).id == demo.id


def test_a_demo_user_with_a_higher_role_is_refused(session, clock):
    make_user(session, DEMO_USER, role="admin")
    with pytest.raises(DomainError, match="must be an agent"):
        issue_demo_token(session, now=clock.now())
