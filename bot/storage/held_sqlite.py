"""The SQLite held writer: one connection, one thread, `BEGIN IMMEDIATE … COMMIT`.

The held connection never checkpoints the WAL on commit: a checkpoint's writes and fsync
would land on the unlucky hot write (p99 4 ms instead of 0.5 ms for a batch of 8). The
pool's connections, which folding and every other writer use, still checkpoint, and in
WAL mode a checkpoint does not block writers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.pool import PoolProxiedConnection

from bot.storage.held_writer import Row, Statement

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
