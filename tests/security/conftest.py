"""Fixtures of the security suite: a CLI environment on the test database (both engines)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from domain.settings import get_settings
from tests.factories import DHAKA

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)
CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")


@pytest.fixture
def cli_env(db_url, monkeypatch, tmp_path):
    """``c360`` commands in this process use the test database, a fixed clock and the offline model."""
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_NOW", NOW.isoformat())
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("C360_LLM_BACKEND", "offline")
    get_settings.cache_clear()
    if db_url.startswith("postgresql"):  # checkpoint tables outlive a test on the session's database
        engine = create_engine(db_url, poolclass=NullPool)
        with engine.begin() as conn:
            for table in CHECKPOINT_TABLES:
                if conn.execute(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}).scalar():
                    conn.exec_driver_sql(f"DELETE FROM {table}")
        engine.dispose()
    yield db_url
    get_settings.cache_clear()
