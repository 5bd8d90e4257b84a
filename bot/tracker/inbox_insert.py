"""The inbox's group commit statement: one INSERT per batch that says which keys were new.

Driver-level SQL with values converted by the columns' bind processors (as in `bulk`):
multi-row VALUES on SQLite, `unnest` of binary arrays on PostgreSQL (one statement text
whatever the batch size, so psycopg parses and prepares it once; binary arrays cost a
third less to send than text ones). Ids follow the rows' order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect

from bot.tracker.bulk import COLUMNS, INBOX, KEY, row_values

Key = tuple[str, str, str]
SQLITE_CHUNK = 1000
"""Rows per SQLite statement: 12 parameters each, well under its 32,766 limit."""


def insert_returning_keys(
    cursor: Any, dialect: Dialect, rows: Sequence[dict[str, Any]]
) -> set[Key]:
    """Insert rows through a driver cursor in its transaction, skipping keys already
    stored; return the keys that were new. One statement on PostgreSQL."""
    values = row_values(dialect, rows)
    if dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*values, strict=True))
        cursor.execute(_postgres_statement(dialect), columns)
        return _keys(cursor.fetchall())
    stored: set[Key] = set()
    for start in range(0, len(values), SQLITE_CHUNK):
        chunk = values[start : start + SQLITE_CHUNK]
        flat = tuple(value for row in chunk for value in row)
        stored |= _keys(cursor.execute(_sqlite_statement(len(chunk)), flat).fetchall())
    return stored


def _keys(rows: list[Any]) -> set[Key]:
    return {(row[0], row[1], row[2]) for row in rows}


@lru_cache(maxsize=64)
def _sqlite_statement(count: int) -> str:
    row = f"({', '.join('?' * len(COLUMNS))})"
    return (
        f"INSERT INTO inbox_event ({', '.join(COLUMNS)}) VALUES {', '.join([row] * count)} "
        f"ON CONFLICT ({KEY}) DO NOTHING RETURNING {KEY}"
    )


_POSTGRES: dict[str, str] = {}


def _postgres_statement(dialect: Dialect) -> str:
    statement = _POSTGRES.get(dialect.driver)
    if statement is None:
        arrays = ", ".join(
            f"%b::{INBOX.c[name].type.compile(dialect=dialect)}[]" for name in COLUMNS
        )
        names = ", ".join(COLUMNS)
        statement = _POSTGRES[dialect.driver] = (
            f"INSERT INTO inbox_event ({names}) SELECT {names} "
            f"FROM unnest({arrays}) WITH ORDINALITY AS batch ({names}, position) "
            f"ORDER BY position ON CONFLICT ({KEY}) DO NOTHING RETURNING {KEY}"
        )
    return statement
