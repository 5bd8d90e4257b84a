"""Inserts that skip rows whose unique key is already taken, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_taken(connection: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """`INSERT … ON CONFLICT (keys) DO NOTHING`. On PostgreSQL a row whose key another
    transaction is inserting waits for it, then is skipped if that one commits."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
