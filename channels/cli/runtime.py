"""What every command needs: settings, an upgraded database, a clock."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from domain.db import make_engine, session_factory, upgrade_schema
from domain.settings import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        url = self.settings.resolved_database_url
        upgrade_schema(url)
        return make_engine(url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @cached_property
    def clock(self) -> Clock:
        return Clock.from_settings(self.settings)


def runtime() -> Runtime:
    return Runtime(get_settings())
