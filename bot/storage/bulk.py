"""Writes of many rows at once, in whichever SQL dialect the connection speaks.

Every `INSERT … ON CONFLICT` of the project is built here, and every statement that
differs between SQLite and PostgreSQL; callers pass tables from `bot.storage.tables` and
never look at `connection.dialect` themselves.

- Core statements: `conflict_insert`, `insert_ignoring_conflicts`, `insert_ignoring_taken`,
  `upsert`, `json_parameter`.
- Many rows in one round trip (`insert_many`): `unnest` arrays on PostgreSQL, driver
  executemany on SQLite.
- Bulk loads (`copy_ignoring_conflicts`): COPY through a temporary table on PostgreSQL.
- Inserts that say which keys were new (`insert_returning_keys`), for the held writer.

The driver-level paths convert values with each column's SQLAlchemy bind processor
(`driver_values`), so rows are stored exactly as a Core insert would store them, without
per-row statement work.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, Dialect, Table, Text, bindparam, cast, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert

from bot.storage.held_writer import Statement

Processor = Callable[[Any], Any]
SQLITE_VALUES_PARAMETERS = 12_000
"""Parameters per multi-row SQLite statement: well under its 32,766 limit."""


def is_embedded(connection: Connection) -> bool:
    """True on SQLite: one writer, no planner statistics unless asked, no server."""
    return connection.dialect.name == "sqlite"


def conflict_insert(connection: Connection, table: Table) -> Insert:
    """A bare `INSERT` that accepts `on_conflict_do_nothing`/`on_conflict_do_update`
    (SQLite's and PostgreSQL's statements share that interface)."""
    if is_embedded(connection):
        return sqlite.insert(table)  # type: ignore[return-value]
    return postgresql.insert(table)


def insert_ignoring_conflicts(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows; one that breaks any unique constraint is skipped."""
    if rows:
        connection.execute(conflict_insert(connection, table).on_conflict_do_nothing(), list(rows))


def insert_ignoring_taken(connection: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """`INSERT … ON CONFLICT (keys) DO NOTHING`. On PostgreSQL a row whose key another
    transaction is inserting waits for it, then is skipped if that one commits."""
    return conflict_insert(connection, table).on_conflict_do_nothing(index_elements=list(keys))


def upsert(connection: Connection, table: Table, keys: Sequence[str], row: dict[str, Any]) -> None:
    """`INSERT … ON CONFLICT (keys) DO UPDATE` the other columns: racing writers never fail."""
    statement = conflict_insert(connection, table).values(row)
    changes = {name: statement.excluded[name] for name in row if name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))


def json_parameter(connection: Connection, name: str) -> ColumnElement[Any]:
    """A bound parameter holding JSON text, stored in a JSON column without encoding it again."""
    parameter = bindparam(name, type_=Text())
    return parameter if is_embedded(connection) else cast(parameter, JSON)


def insert_many(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflict: Sequence[str],
    update: str | None = None,
) -> int:
    """INSERT … ON CONFLICT (conflict) DO NOTHING, or DO UPDATE SET `update`; return the
    number of rows inserted or updated. Keys must be distinct within `rows`."""
    if not rows:
        return 0
    names = ", ".join(columns)
    action = f"DO UPDATE SET {update}" if update else "DO NOTHING"
    tail = f" ON CONFLICT ({', '.join(conflict)}) {action}"
    dialect = connection.dialect
    if not is_embedded(connection):
        arrays = ", ".join(
            f"%s::{table.c[name].type.compile(dialect=dialect)}[]" for name in columns
        )
        statement = f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}){tail}"
        result = connection.exec_driver_sql(
            statement, tuple(list(values) for values in zip(*rows, strict=True))
        )
        return max(result.rowcount, 0)
    placeholders = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({placeholders}){tail}"
    return max(
        connection.exec_driver_sql(
            statement, driver_values(dialect, table, columns, rows)
        ).rowcount,
        0,
    )


def copy_ignoring_conflicts(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
) -> int:
    """Insert rows already converted for the driver (`driver_values`) in the connection's
    transaction, skipping those whose `conflict` key is stored; return how many were new.
    PostgreSQL: COPY into a temporary table, then one INSERT from it (ids follow the rows'
    order, as with a plain INSERT); SQLite: driver executemany."""
    if not values:
        return 0
    stage, copy_sql, move, insert = _copy_statements(table.name, tuple(columns), tuple(conflict))
    if is_embedded(connection):
        return max(connection.exec_driver_sql(insert, list(values)).rowcount, 0)
    connection.exec_driver_sql(stage)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
        for position, value in enumerate(values):
            copy.write_row((position, *value))
    moved = connection.exec_driver_sql(move).rowcount
    connection.exec_driver_sql(f"DELETE FROM {table.name}_load")
    return max(moved, 0)


def insert_returning_keys(
    dialect: Dialect,
    table: Table,
    columns: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
) -> list[Statement]:
    """Statements for the held writer (run them in one transaction) that insert rows
    already converted for the driver, skip keys already stored and return the `conflict`
    columns of the new rows; ids follow the rows' order.

    SQLite: multi-row VALUES, in chunks. PostgreSQL: one statement with the whole batch as
    one JSON array parameter, unpacked and cast back by the server (one statement text
    whatever the batch size, so psycopg prepares it once; psycopg encodes array parameters
    in Python, which cost twice the CPU of the rest of a batch's commit)."""
    if dialect.name == "postgresql":
        statement = _json_batch_insert(dialect, table, tuple(columns), tuple(conflict))
        return [(statement, [json.dumps(values, default=_as_json)])]
    chunk = SQLITE_VALUES_PARAMETERS // len(columns)
    chunks = [values[start : start + chunk] for start in range(0, len(values), chunk)]
    return [
        (
            _values_insert(table.name, tuple(columns), tuple(conflict), len(rows)),
            [value for row in rows for value in row],
        )
        for rows in chunks
    ]


def mark_rows(connection: Connection, table: Table, column: str, ids: Sequence[int]) -> None:
    """Set the boolean `column` to true in the rows with these ids, in one round trip."""
    if is_embedded(connection):
        connection.exec_driver_sql(
            f"UPDATE {table.name} SET {column} = 1 WHERE id = ?", [(row_id,) for row_id in ids]
        )
    else:
        connection.exec_driver_sql(
            f"UPDATE {table.name} SET {column} = true WHERE id = ANY(%s)", (list(ids),)
        )


def rows_with_keys(
    connection: Connection,
    table: Table,
    key_columns: Sequence[str],
    columns: Sequence[str],
    keys: Sequence[tuple[int, ...]],
    chunk: int = 5000,
) -> Iterator[tuple[Any, ...]]:
    """`columns` of the rows whose integer `key_columns` are among `keys`, read through the
    driver (no per-key statement work)."""
    width = len(key_columns)
    names = ", ".join(key_columns)
    embedded = is_embedded(connection)
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        if embedded:
            row = "(" + ", ".join(["?"] * width) + ")"
            matching = f"({names}) IN (VALUES {', '.join([row] * len(part))})"
            parameters: Any = tuple(value for key in part for value in key)
        else:
            arrays = ", ".join(["%s::int[]"] * width)
            matching = f"({names}) IN (SELECT * FROM unnest({arrays}))"
            parameters = tuple(list(column) for column in zip(*part, strict=True))
        statement = f"SELECT {', '.join(columns)} FROM {table.name} WHERE {matching}"
        yield from (tuple(values) for values in connection.exec_driver_sql(statement, parameters))


def lock_transaction(connection: Connection, key: int) -> None:
    """Wait for the lock `key`, shared by every process on the database, and hold it until
    the transaction ends: an advisory lock on PostgreSQL; nothing on SQLite, where a write
    transaction already excludes every other writer."""
    if not is_embedded(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def driver_values(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Rows with each value converted as SQLAlchemy would before handing it to the driver."""
    processors = [bind_processor(dialect, table, name) for name in columns]
    if not any(processors):
        return list(rows)
    plan = [(index, process) for index, process in enumerate(processors) if process]
    converted = []
    for row in rows:
        values = list(row)
        for index, process in plan:
            values[index] = process(values[index])
        converted.append(tuple(values))
    return converted


@lru_cache(maxsize=256)
def bind_processor(dialect: Dialect, table: Table, column: str) -> Processor | None:
    """How SQLAlchemy converts a value of `column` for the driver, if it does."""
    column_type = table.c[column].type
    return column_type.dialect_impl(dialect).bind_processor(dialect)


@lru_cache(maxsize=16)
def _copy_statements(
    table: str, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> tuple[str, str, str, str]:
    names = ", ".join(columns)
    tail = f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    stage = (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {table}_load ON COMMIT DELETE ROWS AS "
        f"SELECT 0 AS position, {names} FROM {table} WITH NO DATA"
    )
    copy = f"COPY {table}_load (position, {names}) FROM STDIN"
    move = (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_load ORDER BY position {tail}"
    )
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) {tail}"
    return stage, copy, move, insert


@lru_cache(maxsize=64)
def _values_insert(
    table: str, columns: tuple[str, ...], conflict: tuple[str, ...], count: int
) -> str:
    row = f"({', '.join('?' * len(columns))})"
    key = ", ".join(conflict)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)} "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    )


@lru_cache(maxsize=16)
@lru_cache(maxsize=16)
def _json_batch_insert(
    dialect: Dialect, table: Table, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> str:
    fields = ", ".join(
        f"(row->>{index})::{table.c[name].type.compile(dialect=dialect)}"
        for index, name in enumerate(columns)
    )
    key = ", ".join(conflict)
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {fields} "
        "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS batch (row, position) "
        f"ORDER BY position ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    )


def _as_json(value: Any) -> str:
    """Values the driver would have sent as parameters, as JSON strings the SQL casts back."""
    if isinstance(value, datetime):
        return value.isoformat()
    if "psycopg" in sys.modules:  # PostgreSQL's JSON bind processor wraps its value
        from psycopg.types.json import Json

        if isinstance(value, Json):
            return json.dumps(value.obj)
    raise TypeError(f"no JSON form for {type(value).__name__}")
