"""Small hot writes on connections held for the life of the process.

The inbox's group commit runs thousands of times a second; a SQLAlchemy session per batch
(checkout, begin events, commit bookkeeping) cost as much as the INSERT itself. A held
writer runs a list of driver-level statements as one transaction and returns the rows
they return:
- SQLite: on one connection owned by one thread, in `BEGIN IMMEDIATE … COMMIT`;
- PostgreSQL: on psycopg's asyncio connections, on the event loop itself, with no thread
  hop; a single statement runs in autocommit, its own transaction in one round trip.
A connection that failed is discarded and the next write opens a fresh one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Engine

Statement = tuple[str, Sequence[Any]]
Row = tuple[Any, ...]


class HeldWriter(Protocol):
    in_flight: int
    """How many transactions may usefully run at once."""

    async def execute(self, statements: Sequence[Statement]) -> list[Row]: ...

    def close(self) -> None: ...


def held_writer(engine: Engine) -> HeldWriter:
    if engine.dialect.name == "sqlite":
        from bot.storage.held_sqlite import HeldSqliteWriter

        return HeldSqliteWriter(engine)
    from bot.storage.held_postgres import HeldPostgresWriter

    return HeldPostgresWriter(engine)
