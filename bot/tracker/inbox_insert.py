"""The inbox's group commit statement: one INSERT per batch that says which keys were new."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Dialect

from bot.storage.bulk import insert_returning_keys
from bot.storage.held_writer import Statement
from bot.storage.tables import INBOX_EVENT
from bot.tracker.bulk import INBOX_COLUMNS, INBOX_KEY, row_values

Key = tuple[str, str, str]


def insert_statements(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[Statement]:
    """Statements that insert rows, skip keys already stored and return the new keys (run
    them in one transaction). One statement on PostgreSQL."""
    values = row_values(dialect, rows)
    return insert_returning_keys(dialect, INBOX_EVENT, INBOX_COLUMNS, values, INBOX_KEY)


def new_keys(returned: Sequence[Sequence[Any]]) -> set[Key]:
    return {(row[0], row[1], row[2]) for row in returned}
