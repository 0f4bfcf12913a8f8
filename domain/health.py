"""Is the database there, and is its schema the one this code expects? (for ``GET /healthz``)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from domain.db import MIGRATIONS


@dataclass(frozen=True)
class DatabaseStatus:
    reachable: bool
    revision: str | None  # what the database is at (alembic_version)
    head: str  # what this code's migrations end at
    error: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.revision == self.head


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def database_status(sessions: sessionmaker[Session]) -> DatabaseStatus:
    """Reachability and schema revision; never raises (a health check must answer)."""
    head = head_revision()
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return DatabaseStatus(reachable=False, revision=None, head=head, error=_reason(exc))
    try:
        with sessions() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:  # reachable, but never migrated
        return DatabaseStatus(reachable=True, revision=None, head=head, error=_reason(exc))
    return DatabaseStatus(reachable=True, revision=revision, head=head)


def _reason(exc: SQLAlchemyError) -> str:
    return str(exc.orig if getattr(exc, "orig", None) is not None else exc).splitlines()[0][:200]
