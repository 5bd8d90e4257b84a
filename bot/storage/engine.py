"""Connecting to the database: URLs, the engine factory (SQLite tuned for a single busy
process, PostgreSQL through psycopg) and SQLite's one-server-per-file lock.

`single_process_lock` holds an exclusive lock on a file beside a SQLite database. The
kernel releases the lock when its process dies, even by SIGKILL, so holding it proves that
no other server uses the database, whatever a killed one left behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import create_engine

from bot.errors import AlreadyRunningError, DatabaseError

SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_SECONDS = 5


def normalise_url(database_url: str) -> URL:
    """Accept `postgresql://` and `postgres://` as psycopg 3 URLs."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def sqlite_path(database_url: str) -> str | None:
    """The file behind a SQLite URL, or None for PostgreSQL and in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def make_engine(
    database_url: str,
    *,
    pool_size: int = 8,
    read_only: bool = False,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Engine:
    """`busy_timeout_ms`: how long SQLite waits for another process's write lock."""
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite":
        _require_directory(database_url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        )
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms))
        event.listen(
            engine, "begin", _sqlite_begin_deferred if read_only else _sqlite_begin_immediate
        )
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _require_directory(database_url: str) -> None:
    path = sqlite_path(database_url)
    if path is not None and not Path(path).parent.is_dir():
        raise DatabaseError(
            f"database unavailable: the directory of the SQLite file {path} does not exist; "
            "create it or fix ENGAGE_DATABASE_URL"
        )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    # Let SQLAlchemy own transactions; the begin hook below opens them explicitly.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front so busy_timeout applies instead of
    # failing late with "database is locked" when a read transaction tries to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


@contextmanager
def single_process_lock(database_url: str) -> Iterator[bool]:
    """Hold the lock for the duration of the block, which is given whether this process is
    then alone on the database: True on SQLite; PostgreSQL needs no lock and may be shared."""
    path = sqlite_path(database_url)
    if path is None:
        yield False
        return
    lock_path = Path(path).resolve().with_name(Path(path).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise AlreadyRunningError(
                f"another engage serve (pid {holder}) is already using {path}; "
                "SQLite allows one process: stop it or use PostgreSQL to run several"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        yield True
    finally:
        os.close(descriptor)
