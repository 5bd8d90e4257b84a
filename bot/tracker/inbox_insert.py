"""The inbox's group commit statement: one INSERT per batch that says which keys were new.

Driver-level SQL with values converted by the columns' bind processors (as in `bulk`):
multi-row VALUES on SQLite; on PostgreSQL the whole batch as one JSON array parameter,
unpacked and cast back by the server (one statement text whatever the batch size, so
psycopg prepares it once; psycopg encodes array parameters in Python, which cost twice
the CPU of the rest of a batch's commit). Ids follow the rows' order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import Dialect

from bot.storage.held_writer import Statement
from bot.storage.tables import INBOX_EVENT
from bot.tracker.bulk import COLUMNS, KEY, row_values

Key = tuple[str, str, str]
SQLITE_CHUNK = 1000
"""Rows per SQLite statement: 12 parameters each, well under its 32,766 limit."""


def insert_statements(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[Statement]:
    """Statements that insert rows, skip keys already stored and return the new keys (run
    them in one transaction). One statement on PostgreSQL."""
    values = row_values(dialect, rows)
    if dialect.name == "postgresql":
        return [(_postgres_statement(dialect), [json.dumps(values, default=_as_json)])]
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


def _as_json(value: Any) -> str:
    """Values the driver would have sent as parameters, as JSON strings the SQL casts back."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Json):  # a JSON column's bind processor wraps its value
        return json.dumps(value.obj)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _postgres_statement(dialect: Dialect) -> str:
    statement = _POSTGRES.get(dialect.driver)
    if statement is None:
        fields = ", ".join(
            f"(row->>{index})::{INBOX_EVENT.c[name].type.compile(dialect=dialect)}"
            for index, name in enumerate(COLUMNS)
        )
        statement = _POSTGRES[dialect.driver] = (
            f"INSERT INTO inbox_event ({', '.join(COLUMNS)}) SELECT {fields} "
            "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS batch (row, position) "
            f"ORDER BY position ON CONFLICT ({KEY}) DO NOTHING RETURNING {KEY}"
        )
    return statement
