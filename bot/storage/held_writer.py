"""Small hot writes on connections held for the life of the process.

The inbox's group commit runs thousands of times a second; a SQLAlchemy session per batch
(checkout, begin events, commit bookkeeping) cost as much as the INSERT itself. A held
writer runs a list of driver-level statements as one transaction and returns the rows
they return:
- SQLite: on one connection owned by one thread, in `BEGIN IMMEDIATE … COMMIT`;
- PostgreSQL: on psycopg's asyncio connections, on the event loop itself, with no thread
  hop; a single statement runs in autocommit, its own transaction in one round trip.
A connection that failed is discarded and the next write opens a fresh one.

SQLite: the held connection never checkpoints the WAL on commit: a checkpoint's writes and
fsync would land on the unlucky hot write (p99 4 ms instead of 0.5 ms for a batch of 8).
The pool's connections, which folding and every other writer use, still checkpoint, and
in WAL mode a checkpoint does not block writers.

PostgreSQL: in a thread, each batch paid two thread hops and competed with the loop for
the GIL while psycopg encoded parameters and waited; measured in `bench.slack_ingest`, a
batch took 1.5 ms instead of 0.4 ms and the server used 158 µs of CPU per request instead
of 120.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.pool import PoolProxiedConnection

from bot.storage.engine import CONNECT_TIMEOUT_SECONDS

if TYPE_CHECKING:
    import psycopg

Statement = tuple[str, Sequence[Any]]
Row = tuple[Any, ...]


class HeldWriter(Protocol):
    in_flight: int
    """How many transactions may usefully run at once."""

    async def execute(self, statements: Sequence[Statement]) -> list[Row]: ...

    def close(self) -> None: ...


def held_writer(engine: Engine) -> HeldWriter:
    if engine.dialect.name == "sqlite":
        return HeldSqliteWriter(engine)
    return HeldPostgresWriter(engine)


AUTOCHECKPOINT_PAGES = 1000  # SQLite's default, restored before the connection goes back


class HeldSqliteWriter:
    in_flight = 1  # SQLite has one writer at a time anyway

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engage-held")
        self._connection: PoolProxiedConnection | None = None
        self._closed = False

    async def execute(self, statements: Sequence[Statement]) -> list[Row]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._execute, statements)

    def _execute(self, statements: Sequence[Statement]) -> list[Row]:
        connection = self._connection or self._connect()
        try:
            return self._transaction(connection.driver_connection, statements)
        except BaseException:
            # Its state is unknown; closing it rolls back what it began.
            self._connection = None
            connection.invalidate()
            raise

    @staticmethod
    def _transaction(driver: Any, statements: Sequence[Statement]) -> list[Row]:
        cursor = driver.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            rows: list[Row] = []
            for sql, parameters in statements:
                rows += cursor.execute(sql, parameters).fetchall()
            cursor.execute("COMMIT")
            return rows
        finally:
            cursor.close()

    def _connect(self) -> PoolProxiedConnection:
        connection = self._engine.raw_connection()
        connection.driver_connection.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
        self._connection = connection
        return connection

    def close(self) -> None:
        """Finish the write in flight, then give the connection back as it was."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        if self._connection is not None:
            driver: Any = self._connection.driver_connection
            driver.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            self._connection.close()
            self._connection = None


class HeldPostgresWriter:
    in_flight = 1
    """Batches grow while a commit is in flight; in `bench.slack_ingest`, one connection
    answered as many requests a second as two, for a tenth less CPU per request."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[psycopg.AsyncConnection[Row]] = []
        self._open: list[psycopg.AsyncConnection[Row]] = []

    async def execute(self, statements: Sequence[Statement]) -> list[Row]:
        connection = self._idle.pop() if self._idle else await self._connect()
        try:
            rows = await self._transaction(connection, statements)
        except BaseException:
            self._discard(connection)
            raise
        self._idle.append(connection)
        return rows

    async def _transaction(
        self, connection: psycopg.AsyncConnection[Row], statements: Sequence[Statement]
    ) -> list[Row]:
        rows: list[Row] = []
        async with connection.cursor() as cursor:
            if len(statements) == 1:
                sql, parameters = statements[0]
                await cursor.execute(sql, parameters)
                return await _returned(cursor)
            async with connection.transaction():
                for sql, parameters in statements:
                    await cursor.execute(sql, parameters)
                    rows += await _returned(cursor)
        return rows

    async def _connect(self) -> psycopg.AsyncConnection[Row]:
        import psycopg  # here: SQLite installs never load the PostgreSQL driver

        arguments, options = self._engine.dialect.create_connect_args(self._engine.url)
        connection = await psycopg.AsyncConnection.connect(
            *arguments, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, **options
        )
        self._open.append(connection)
        return connection

    def _discard(self, connection: psycopg.AsyncConnection[Row]) -> None:
        """Its state is unknown: closing it rolls back what it began."""
        connection.pgconn.finish()
        if connection in self._open:  # not when `close` came first
            self._open.remove(connection)

    def close(self) -> None:
        """Close every connection at once: `finish` needs no event loop."""
        for connection in self._open:
            connection.pgconn.finish()
        self._open.clear()
        self._idle.clear()


async def _returned(cursor: psycopg.AsyncCursor[Row]) -> list[Row]:
    """The statement's rows; without building a column description as `description` does."""
    result = cursor.pgresult
    return await cursor.fetchall() if result is not None and result.nfields else []
