"""Shared fixtures: every database test runs on a real SQLite file and on the real PostgreSQL server.

``C360_TEST_BACKENDS`` (default ``sqlite,postgresql``) picks the engines; ``C360_TEST_PG_URL`` the
server (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). Each test session gets
its own PostgreSQL database, so parallel runs never see each other's rows.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from domain.clock import Clock
from domain.db import make_engine, session_factory, upgrade_schema
from domain.models import Base

BACKENDS = [b.strip() for b in os.environ.get("C360_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
PG_ADMIN_URL = os.environ.get("C360_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def pg_database() -> str:
    name = f"c360_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade_schema(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_PG_ENGINES: dict[str, object] = {}


def _empty_all(url: str) -> None:
    """Delete every row and restart the id sequences (TRUNCATE of ~30 tables costs 0.1-0.8 s a test)."""
    engine = _PG_ENGINES.get(url)
    if engine is None:
        engine = _PG_ENGINES[url] = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        sequences = [row[0] for row in conn.execute(text(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'"))]
        statements = [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
        statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        conn.exec_driver_sql("; ".join(statements))


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL database truncated."""
    if request.param == "sqlite":
        path = tmp_path / "c360.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _empty_all(url)
    return url


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    """A sessionmaker bound to the test database."""
    return session_factory(engine)


@pytest.fixture
def session(sessions):
    with sessions() as session:
        yield session


@pytest.fixture
def clock() -> Clock:
    """Friday 2026-11-20, 10:30 in Dhaka."""
    return Clock(tz=DHAKA, fixed=NOW)
