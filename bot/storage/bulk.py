"""Writes of many rows at once, in whichever SQL dialect the connection speaks.

Every `INSERT … ON CONFLICT` of the project is built here; callers pass tables from
`bot.storage.tables` and never look at `connection.dialect` themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, Table, Text, bindparam, cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert


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
    text = bindparam(name, type_=Text())
    return text if is_embedded(connection) else cast(text, JSON)
