"""Alembic environment: Engage's own engine factory and SQLModel metadata; one process
migrates a database at a time (`bot.storage.migrate.migrating_alone`)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.storage.engine import make_engine
from bot.storage.migrate import SQLITE_MIGRATION_WAIT_MS, migrating_alone

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
engine = make_engine(url, busy_timeout_ms=SQLITE_MIGRATION_WAIT_MS)
with engine.connect() as connection, migrating_alone(connection):
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
