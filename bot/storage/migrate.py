"""The schema's and the data's life behind `engage db`: upgrades, dumps and restores.

Migrations are Alembic's, run programmatically (`engage db upgrade`, and by `engage serve`).

Processes that upgrade one database at once (replicas starting together, an operator's
`engage db upgrade` beside them) take turns, and the later ones find the schema at its
target: on PostgreSQL the migration connection holds an advisory lock for the whole
upgrade; on SQLite the whole upgrade is one `BEGIN IMMEDIATE` transaction.

A migration is additive unless its module says `destructive = True` (it drops or rewrites
something the previous version of Engage still reads): `upgrade` applies a destructive one
only when the operator allows it (`engage db upgrade --yes`), never from `engage serve`.

Backups (`engage db dump FILE`, `engage db restore FILE`): PostgreSQL goes through
`pg_dump --format=custom` and `pg_restore` (the password is passed in `PGPASSWORD`, never
on a command line); SQLite through its online backup API, a consistent copy even while
`engage serve` writes. A restore goes into an empty database only, so it never mixes two
installs nor overwrites one.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.errors import DatabaseError, EngageError
from bot.storage.database import describe_db_error
from bot.storage.engine import make_engine, normalise_url, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x656E67616765  # "engage" in ASCII; advisory locks are per database
SQLITE_MIGRATION_WAIT_MS = 15 * 60 * 1000
"""How long a SQLite upgrade waits for another one (a large migration takes minutes)."""
log = logging.getLogger("engage.migrate")


def alembic_config(database_url: str, scripts: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    url = normalise_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


class SchemaState(StrEnum):
    CURRENT = "current"
    BEHIND = "behind"
    AHEAD = "ahead"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Migration:
    revision: str
    title: str
    destructive: bool


@dataclass(frozen=True)
class SchemaCheck:
    state: SchemaState
    database: tuple[str, ...]
    """The revisions recorded in the database (none before the first migration)."""
    code: str
    """The newest revision this version of Engage knows."""
    pending: tuple[Migration, ...] = ()


class DestructiveMigrationError(EngageError):
    pass


class NewerSchemaError(EngageError):
    pass


def _migration(script: Script) -> Migration:
    title = (script.doc or "").strip().splitlines()[0] if script.doc else ""
    return Migration(script.revision, title, getattr(script.module, "destructive", False) is True)


def migrations(scripts: Path = MIGRATIONS) -> list[Migration]:
    """Every migration this version knows, oldest first."""
    directory = ScriptDirectory.from_config(alembic_config("sqlite://", scripts))
    return [_migration(script) for script in reversed(list(directory.walk_revisions()))]


def database_revisions(database_url: str) -> tuple[str, ...]:
    engine = make_engine(database_url, read_only=True)
    try:
        with engine.connect() as connection:
            return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_db_error(exc)) from None
    finally:
        engine.dispose()


def check_schema(database_url: str, scripts: Path = MIGRATIONS) -> SchemaCheck:
    """Whether the database's schema is the one this version of Engage expects."""
    return _compare(database_url, "head", scripts)


def _compare(database_url: str, target: str, scripts: Path) -> SchemaCheck:
    directory = ScriptDirectory.from_config(alembic_config(database_url, scripts))
    head = directory.get_current_head() or ""
    current = database_revisions(database_url)
    unknown = [revision for revision in current if not _known(directory, revision)]
    if unknown:
        newer = all(_numbered_after(revision, head) for revision in unknown)
        return SchemaCheck(SchemaState.AHEAD if newer else SchemaState.UNKNOWN, current, head)
    try:
        steps = list(directory.iterate_revisions(target, current or "base"))
    except RevisionError as exc:
        raise CommandError(str(exc)) from None
    pending = tuple(_migration(script) for script in reversed(steps) if script is not None)
    state = SchemaState.BEHIND if pending else SchemaState.CURRENT
    return SchemaCheck(state, current, head, pending)


def _numbered_after(revision: str, head: str) -> bool:
    """Engage numbers its revisions in order: an unknown larger number is a newer Engage's."""
    return revision.isdigit() and head.isdigit() and int(revision) > int(head)


def _known(directory: ScriptDirectory, revision: str) -> bool:
    try:
        return directory.get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False


def upgrade(
    database_url: str,
    revision: str = "head",
    *,
    allow_destructive: bool = False,
    tolerate_newer: bool = False,
    scripts: Path = MIGRATIONS,
) -> None:
    """Apply the pending migrations up to `revision`. A destructive one is refused unless
    `allow_destructive`; a database migrated by a newer Engage is refused, or left as it
    is with a warning when `tolerate_newer` (an older replica during a rolling upgrade)."""
    check = _compare(database_url, revision, scripts)
    if check.state in (SchemaState.AHEAD, SchemaState.UNKNOWN):
        at = ", ".join(check.database)
        if check.state is SchemaState.AHEAD and tolerate_newer:
            log.warning(
                "migrations: the database is at revision %s, newer than this version of "
                "Engage (%s); serving it unchanged",
                at,
                check.code,
            )
            return
        raise NewerSchemaError(
            f"the database is at revision {at}, which this version of Engage does not know "
            f"(it knows up to {check.code}): run a version that does"
        )
    destructive = [step.revision for step in check.pending if step.destructive]
    if destructive and not allow_destructive:
        raise DestructiveMigrationError(
            f"migration {', '.join(destructive)} is destructive: it removes or rewrites data "
            "that running replicas of the previous version may still use; stop every "
            "replica, back up (engage db dump FILE), then run engage db upgrade --yes"
        )
    try:
        command.upgrade(alembic_config(database_url, scripts), revision)
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
        return SchemaState.BEHIND
    heads, known = code_revisions()
    if applied == heads:
        return SchemaState.CURRENT
    return SchemaState.AHEAD if applied - known else SchemaState.BEHIND


POSTGRES_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


def dump(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path` (replaced only once complete)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if (source := sqlite_path(database_url)) is not None:
            if not Path(source).is_file():
                raise EngageError(f"there is no SQLite database at {source}")
            _sqlite_copy(f"file:{Path(source).resolve()}?mode=ro", partial)
        else:
            url = _postgres(database_url)
            _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges"], url, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path, database_url: str) -> None:
    """Load a dump made by `dump` into an empty database of the same kind."""
    if not path.is_file():
        raise EngageError(f"there is no dump at {path}")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    target = sqlite_path(database_url)
    if target is None and not head.startswith(POSTGRES_MAGIC):
        raise EngageError(f"{path} is not a PostgreSQL dump made by engage db dump")
    if target is not None and head != SQLITE_MAGIC:
        raise EngageError(f"{path} is not a SQLite dump made by engage db dump")
    if tables := _tables(database_url):
        raise EngageError(
            f"the target database is not empty ({len(tables)} tables, such as {tables[0]}): "
            "restore into a new, empty database"
        )
    if target is not None:
        _sqlite_copy(f"file:{path.resolve()}?mode=ro", Path(target))
        return
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run("pg_restore", [*options, str(path)], _postgres(database_url), None)


def _sqlite_copy(source_uri: str, target: Path) -> None:
    try:
        with (
            closing(sqlite3.connect(source_uri, uri=True)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    except sqlite3.Error as exc:
        raise DatabaseError(describe_db_error(exc)) from None


def _tables(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_db_error(exc)) from None
    finally:
        engine.dispose()


def _postgres(database_url: str) -> URL:
    return normalise_url(database_url).set(drivername="postgresql")


def _run(tool: str, arguments: list[str], url: URL, output: Path | None) -> None:
    program = shutil.which(tool)
    if program is None:
        raise EngageError(
            f"{tool} is not installed (or not on PATH): install PostgreSQL's client tools, "
            "of the server's major version or newer (Debian: apt-get install postgresql-client)"
        )
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    conninfo = url.set(password=None).render_as_string(hide_password=False)
    command = [program, *arguments, f"--dbname={conninfo}"]
    if output is not None:
        command.append(f"--file={output}")
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {finished.returncode}"
        raise EngageError(f"{tool} failed: {reason.removeprefix(f'{tool}: ')}")
