"""The load test's world: a demo world on a fresh database, one agent (with a token) per simulated
user, and for each user its own customers to talk about, so every write it makes is countable.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from agent.offline.lexicon import HONORIFICS, SOCIAL_HONORIFICS
from domain.db import read_session, transaction
from domain.enums import Role
from domain.errors import DomainError
from domain.models import Customer
from domain.users import create_user, issue_token
from evals.bench.world import World

# A name the user types resolves to one customer when it is one customer's full name, in Latin
# letters (the script's messages are English), without a word the model reads as an honorific
# ("Sheikh", "Begum"): otherwise the model asks "which X?" and the round measures a question.
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")
_HONORIFIC_WORDS = {w.lower() for w in HONORIFICS | SOCIAL_HONORIFICS}


@dataclass(frozen=True)
class LoadUser:
    """One simulated user: their agent account, token, and the customers they talk about."""

    index: int
    user_id: int
    name: str
    token: str
    customers: tuple[tuple[int, str], ...]  # (customer id, name as typed)


def typeable_customers(world: World) -> list[tuple[int, str]]:
    """Active customers whose full name is theirs alone and reads as a name to the model, by id."""
    with read_session(world.sessions) as session:
        rows = session.execute(
            select(func.min(Customer.id), Customer.name)
            .where(Customer.status == "active", Customer.erased_at.is_(None))
            .group_by(Customer.name)
            .having(func.count() == 1)
            .order_by(func.min(Customer.id))
        ).all()
    return [(int(cid), name) for cid, name in rows
            if name and _LATIN_NAME.match(name) and not _HONORIFIC_WORDS & set(name.lower().split())]


def make_users(world: World, count: int, run_tag: str) -> list[LoadUser]:
    """``count`` agents named "Load <run_tag> <n>" with a token each; the typeable customers dealt
    round-robin between them, so no two users ever log a call with the same customer."""
    customers = typeable_customers(world)
    if len(customers) < count:
        raise DomainError(f"the world has {len(customers)} customers with a unique, typeable name; "
                          f"{count} users need at least one each: use more --customers or fewer --users",
                          field="customers")
    users = []
    with transaction(world.sessions) as session:
        for i in range(count):
            info = create_user(session, f"Load {run_tag} {i + 1}", Role.agent.value, now=world.clock.now())
            token = issue_token(session, info, now=world.clock.now()).token
            users.append(LoadUser(i + 1, info.id, info.name, token, tuple(customers[i::count])))
    return users


def new_run_tag() -> str:
    """A short id that makes this run's users and write markers unique, even on a reused database."""
    return "lt" + secrets.token_hex(3)
