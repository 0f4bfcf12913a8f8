"""Engines, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import re
import threading
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from domain.files import private_folder

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "c360_read_only"
_WRITE_LOCKS: "weakref.WeakKeyDictionary[Engine, threading.RLock]" = weakref.WeakKeyDictionary()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the product's connection rules: WAL, foreign keys and a busy timeout on SQLite."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            private_folder(Path(path).parent)  # the data folder: 0700 (domain.files)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        # A SQLite connection is a file handle: no reason to make threads queue for one.
        if path and path != ":memory:" and "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", 5)
            kwargs.setdefault("max_overflow", -1)
        engine = create_engine(url, **kwargs)
        _WRITE_LOCKS[engine] = threading.RLock()  # re-entrant: a nested unit of work must not hang

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy own transactions: pysqlite's implicit BEGIN would defer locking.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
            # Sessions opened with read_session() begin DEFERRED: in WAL they never wait for writers.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # PostgreSQL: a busy process (50 concurrent writers, Slack and HTTP at once) must queue for a
    # connection rather than fail after SQLAlchemy's default 5 + 10 connections and 30 s.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_timeout", 90)
    return create_engine(url, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error.

    On SQLite only one writer runs at a time anyway; threads of this process queue on a lock
    instead of polling SQLite's busy handler, so fifty concurrent writers neither starve nor
    hold a pooled connection while they wait. Other processes still queue on the busy timeout.
    """
    bind = factory.kw.get("bind")
    lock = _WRITE_LOCKS.get(bind) if bind is not None else None
    if lock is None:
        with factory() as session:
            with session.begin():
                yield session
        return
    with lock:
        with factory() as session:
            with session.begin():
                yield session


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads only: on SQLite it does not queue behind writers for the write lock.

    On PostgreSQL the read transaction ends with a COMMIT rather than the pool's ROLLBACK: both end
    a transaction that wrote nothing alike, but psycopg forgets every prepared statement on a
    ROLLBACK, so the repeated reads of a page (the 360 view's one big statement) would be parsed
    and planned again on every request instead of prepared once per connection.
    """
    with factory() as session:
        connection = session.connection(execution_options={READ_ONLY: True})
        yield session
        if (connection.dialect.name == "postgresql" and session.in_transaction()
                and not (session.new or session.dirty or session.deleted)):
            expire, session.expire_on_commit = session.expire_on_commit, False
            try:  # objects read here stay loaded after the session, as before
                session.commit()
            finally:
                session.expire_on_commit = expire


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w]+|None)['\"]?", re.MULTILINE)


def head_revisions() -> set[str]:
    """The migration chain's heads, read from the migration files' ``revision``/``down_revision``
    lines (a millisecond; Alembic itself takes a third of a second to import)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision") not in (None, "None"):
                parents.add(found["down_revision"])
    return revisions - parents


def schema_is_current(url: str) -> bool:
    """True when the database is already at the migrations' head (nothing to upgrade)."""
    from sqlalchemy import text

    heads = head_revisions()
    if len(heads) != 1:
        return False
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # no alembic_version table yet (a new database), or any doubt: let Alembic decide
        return False
    finally:
        engine.dispose()
    return rows == heads


def upgrade_schema(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` with Alembic (the product does this on start).
    A database already at the head is left without importing Alembic (start-up time)."""
    if revision == "head" and schema_is_current(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)
