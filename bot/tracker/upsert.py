"""Many rows in one round trip: `unnest` arrays on PostgreSQL, driver executemany on SQLite.

Values go through each column's SQLAlchemy bind processor where the driver needs it, so
rows are stored exactly as a Core insert would store them, without per-row statement work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table

Processor = Callable[[Any], Any]
_PROCESSORS: dict[tuple[str, str, str, str], Processor | None] = {}


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
    if dialect.name == "postgresql":
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


def bind_processor(dialect: Dialect, table: Table, column: str) -> Processor | None:
    key = (dialect.name, dialect.driver, table.name, column)
    if key not in _PROCESSORS:
        column_type = table.c[column].type
        _PROCESSORS[key] = column_type.dialect_impl(dialect).bind_processor(dialect)
    return _PROCESSORS[key]
