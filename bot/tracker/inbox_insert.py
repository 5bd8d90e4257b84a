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

from bot.storage.held_writer import Statement
from bot.tracker.bulk import COLUMNS, INBOX, KEY, row_values

Key = tuple[str, str, str]
SQLITE_CHUNK = 1000
"""Rows per SQLite statement: 12 parameters each, well under its 32,766 limit."""


def insert_statements(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[Statement]:
    """Statements that insert rows, skip keys already stored and return the new keys (run
    them in one transaction). One statement on PostgreSQL."""
    values = row_values(dialect, rows)
    if dialect.name == "postgresql":
        columns = [list(column) for column in zip(*values, strict=True)]
        return [(_postgres_statement(dialect), columns)]
    chunks = [values[start : start + SQLITE_CHUNK] for start in range(0, len(values), SQLITE_CHUNK)]
    return [(_sqlite_statement(len(chunk)), [v for row in chunk for v in row]) for chunk in chunks]


def new_keys(returned: Sequence[Sequence[Any]]) -> set[Key]:
    return {(row[0], row[1], row[2]) for row in returned}


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
