"""The one way the async code talks to the database.

Engage uses the synchronous SQLAlchemy engine and runs every unit of work in a worker
thread (`Database.read` / `Database.write`), so blocking I/O never runs on the event loop
and the same code serves SQLite and PostgreSQL. The one exception is the inbox's group
commit (`Database.write_statements`, see `bot.storage.held_writer`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.errors import DatabaseError
from bot.storage.engine import make_engine, normalise_url
from bot.storage.held_writer import HeldWriter, Row, Statement, held_writer

T = TypeVar("T")
SQLITE_ANALYSIS_ROWS = 1000
"""Rows ANALYZE reads per index on SQLite: enough for the planner, milliseconds per table."""


class Database:
    def __init__(self, database_url: str, *, threads: int = 8) -> None:
        self.url = database_url
        self.is_sqlite = normalise_url(database_url).get_backend_name() == "sqlite"
        self.engine: Engine = make_engine(database_url, pool_size=threads)
        # SQLite readers use plain deferred transactions so they never wait on writers.
        self.read_engine: Engine = (
            make_engine(database_url, read_only=True) if self.is_sqlite else self.engine
        )
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engage-db")
        self._held: HeldWriter | None = None

    def write_session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def read_session(self) -> Session:
        return Session(self.read_engine, expire_on_commit=False)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a transaction on a worker thread; commit when it returns."""
        return await self._in_thread(self._write_sync, work)

    async def read(self, work: Callable[[Session], T]) -> T:
        return await self._in_thread(self._read_sync, work)

    @property
    def held(self) -> HeldWriter:
        """Driver-level statements as one transaction on a held connection, for small hot
        writes (see `bot.storage.held_writer`)."""
        if self._held is None:
            self._held = held_writer(self.engine)
        return self._held

    async def write_statements(self, statements: Sequence[Statement]) -> list[Row]:
        return await self.held.execute(statements)

    def write_sync(self, work: Callable[[Session], T]) -> T:
        """For code with no event loop (the CLI): the same transaction, on this thread."""
        return self._write_sync(work)

    def read_sync(self, work: Callable[[Session], T]) -> T:
        return self._read_sync(work)

    def _write_sync(self, work: Callable[[Session], T]) -> T:
        with self.write_session() as session, session.begin():
            return work(session)

    def _read_sync(self, work: Callable[[Session], T]) -> T:
        with self.read_session() as session:
            return work(session)

    async def _in_thread(
        self, runner: Callable[[Callable[[Session], T]], T], work: Callable[[Session], T]
    ) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, runner, work)

    async def refresh_statistics(self) -> None:
        """Fresh planner statistics (see `refresh_statistics`)."""
        await self.write(lambda session: refresh_statistics(session.connection()))

    async def check(self) -> None:
        """Raise DatabaseError unless a trivial query succeeds."""
        try:
            await self.read(lambda session: session.execute(text("SELECT 1")).scalar_one())
        except SQLAlchemyError as exc:
            raise DatabaseError(describe_db_error(exc)) from None

    def close(self) -> None:
        """Release threads and connections; safe to call more than once."""
        self._executor.shutdown(wait=True)
        if self._held is not None:
            self._held.close()
        self.engine.dispose()
        self.read_engine.dispose()


def refresh_statistics(connection: Connection) -> None:
    """Let the query planner see the tables as they are now: after migrations, bulk imports
    and large folds. SQLite never gathers statistics by itself, and without them it may
    pick a plan that reads a table once per row of another. Both databases sample: SQLite
    each index (as recent SQLite's `PRAGMA optimize` does), PostgreSQL each table."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}")
    connection.exec_driver_sql("ANALYZE")


def describe_db_error(exc: BaseException) -> str:
    """One line that says what went wrong without a driver traceback."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    return f"database unavailable: {first}"


def explain_db_error(exc: BaseException) -> str | None:
    """One line with what to do, for an error from SQLAlchemy or a database driver (the held
    writers raise the drivers' own); None for any other exception."""
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    no_table: tuple[type[BaseException], ...] = ()
    refused: tuple[type[BaseException], ...] = (sqlite3.DataError, sqlite3.IntegrityError)
    if "psycopg" in sys.modules:  # only a driver already loaded can have raised its errors
        import psycopg

        errors += (psycopg.Error,)
        no_table = (psycopg.errors.UndefinedTable,)
        refused += (psycopg.DataError, psycopg.IntegrityError)
    if isinstance(exc, SQLAlchemyError):
        driver: BaseException = getattr(exc, "orig", None) or exc
    elif isinstance(exc, errors):
        driver = exc
    else:
        return None
    lines = str(driver).strip().splitlines()
    first = lines[0] if lines else type(driver).__name__
    if isinstance(driver, no_table) or first.startswith("no such table"):
        return f"the database has no Engage schema ({first}): run `engage db upgrade` first"
    if isinstance(driver, refused):
        return f"the database refused a value: {first}"
    return f"database unavailable: {first}; check ENGAGE_DATABASE_URL and that the database runs"
