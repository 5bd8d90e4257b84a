"""Alembic migrations, run programmatically (`engage db upgrade`, and by `engage serve`).

Processes that upgrade one database at once (replicas starting together, an operator's
`engage db upgrade` beside them) take turns, and the later ones find the schema at its
target: on PostgreSQL the migration connection holds an advisory lock for the whole
upgrade; on SQLite the whole upgrade is one `BEGIN IMMEDIATE` transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.errors import DatabaseError
from bot.storage.database import describe_db_error
from bot.storage.engine import normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x656E67616765  # "engage" in ASCII; advisory locks are per database
SQLITE_MIGRATION_WAIT_MS = 15 * 60 * 1000
"""How long a SQLite upgrade waits for another one (a large migration takes minutes)."""
log = logging.getLogger("engage.migrate")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = normalise_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(database_url), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_db_error(exc)) from None


@contextmanager
def migrating_alone(connection: Connection) -> Iterator[None]:
    """Hold this database's migration turn for the block (see the module's docstring)."""
    if connection.dialect.name != "postgresql":
        connection.begin()  # alembic then runs every migration in this one transaction
        yield
        return
    key = {"key": MIGRATION_LOCK}
    if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one():
        log.info("migrations: another process is upgrading this database; waiting for it")
        connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
    connection.commit()  # a session lock outlives the transaction, until unlocked
    try:
        yield
    finally:
        if not connection.invalidated:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
            connection.commit()


SchemaState = Literal["current", "behind", "ahead"]


@cache
def code_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """This code's head revisions and every revision it knows (read from the files once)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    known = frozenset(revision.revision for revision in script.walk_revisions())
    return frozenset(script.get_heads()), known


def schema_state(session: Session) -> SchemaState:
    """`current`: the database is at this code's head; `behind`: migrations are pending
    (or none ever ran); `ahead`: a newer release migrated it (a revision unknown here),
    which this one serves alongside while migrations are additive."""
    try:
        rows = session.connection().execute(text("SELECT version_num FROM alembic_version"))
        applied = frozenset(rows.scalars())
    except SQLAlchemyError:
        session.rollback()
        return "behind"
    heads, known = code_revisions()
    if applied == heads:
        return "current"
    return "ahead" if applied - known else "behind"
