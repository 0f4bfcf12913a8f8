"""Alembic environment: the URL comes from the caller's config (see domain.db.alembic_config)."""
from alembic import context

from domain.db import make_engine
from domain.models import Base

config = context.config
target_metadata = Base.metadata


# Indexes kept by hand in migrations because autogenerate cannot compare them (expressions).
HAND_MADE_INDEXES = {"ix_customers_name_trgm"}


def include_name(name, type_, parent_names) -> bool:
    # Other components keep their own tables in the same database (LangGraph's checkpointer):
    # they are not ours to diff or drop.
    if type_ == "index":
        return name not in HAND_MADE_INDEXES
    return type_ != "table" or name in target_metadata.tables


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_name=include_name,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
