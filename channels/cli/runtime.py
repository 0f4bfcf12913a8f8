"""What every command needs: settings, an upgraded database, a clock.

Imported by every command module, so it imports nothing heavy itself: ``c360 --help`` must not
load SQLAlchemy or pydantic (the imports happen when a command runs)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from domain.clock import Clock
    from domain.settings import Settings


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        from domain.db import make_engine, upgrade_schema

        url = self.settings.resolved_database_url
        upgrade_schema(url)
        return make_engine(url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from domain.db import session_factory

        return session_factory(self.engine)

    @cached_property
    def clock(self) -> Clock:
        from domain.clock import Clock

        return Clock.from_settings(self.settings)


def runtime() -> Runtime:
    from domain.settings import get_settings

    return Runtime(get_settings())
