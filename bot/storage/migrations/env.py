"""Alembic environment: Engage's own engine factory and SQLModel metadata; one process
migrates a database at a time (`bot.storage.migrate.migrating_alone`)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.storage.database import refresh_statistics
from bot.storage.engine import make_engine
from bot.storage.migrate import SQLITE_MIGRATION_WAIT_MS, migrating_alone

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
engine = make_engine(url, busy_timeout_ms=SQLITE_MIGRATION_WAIT_MS)
applied: list[object] = []
with engine.connect() as connection, migrating_alone(connection):
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        on_version_apply=lambda **step: applied.append(step),
    )
    with context.begin_transaction():
        # A fresh database has nothing to measure: statistics of its empty tables would
        # tell PostgreSQL's planner that they stay empty once filled.
        existing = context.get_context().get_current_revision() is not None
        context.run_migrations()
        if applied and existing:
            refresh_statistics(connection)
    connection.commit()
engine.dispose()
