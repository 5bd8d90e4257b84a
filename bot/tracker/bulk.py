"""Inbox rows as the driver takes them, and the bulk path that stores many at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect

from bot.clock import utcnow
from bot.storage.bulk import bind_processor, copy_ignoring_conflicts
from bot.storage.tables import INBOX_EVENT

INBOX_COLUMNS = (
    "platform", "workspace", "event_key", "kind", "person", "community", "target_person",
    "thread_key", "occurred_at", "attrs", "processed", "received_at",
)  # fmt: skip
INBOX_KEY = ("platform", "workspace", "event_key")


def insert_new_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows in the connection's transaction, skipping stored keys; return how many
    were new."""
    if not rows:
        return 0
    values = row_values(connection.dialect, rows)
    return copy_ignoring_conflicts(connection, INBOX_EVENT, INBOX_COLUMNS, values, INBOX_KEY)


def row_values(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows in `INBOX_COLUMNS` order, converted as SQLAlchemy would for the driver."""
    moment = bind_processor(dialect, INBOX_EVENT, "occurred_at") or _unchanged
    attrs = bind_processor(dialect, INBOX_EVENT, "attrs") or _unchanged
    flag = bind_processor(dialect, INBOX_EVENT, "processed") or _unchanged
    received = moment(utcnow())
    processed = flag(False)
    no_attrs = attrs(None)  # most events have none: serialise that once
    return [
        (
            row["platform"],
            row["workspace"],
            row["event_key"],
            row["kind"],
            row["person"],
            row["community"],
            row["target_person"],
            row["thread_key"],
            moment(row["occurred_at"]),
            no_attrs if row["attrs"] is None else attrs(row["attrs"]),
            processed,
            received,
        )
        for row in rows
    ]


def _unchanged(value: Any) -> Any:
    return value
