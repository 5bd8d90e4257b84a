"""Backups: `engage db dump FILE` and `engage db restore FILE`.

PostgreSQL goes through `pg_dump --format=custom` and `pg_restore` (the password is passed
in `PGPASSWORD`, never on a command line); SQLite through its online backup API, a
consistent copy even while `engage serve` writes. A restore goes into an empty database
only, so it never mixes two installs nor overwrites one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DatabaseError, EngageError
from bot.storage.database import describe_db_error
from bot.storage.engine import make_engine, normalise_url, sqlite_path

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
