"""Fast bulk insert of inbox rows: driver-level executemany on SQLite, COPY on PostgreSQL.

Values go through the columns' own SQLAlchemy bind processors, so they are stored exactly
as a Core insert would store them; only the per-row statement overhead is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect

from bot.events import utcnow
from bot.storage.tables import INBOX_EVENT
from bot.tracker.upsert import bind_processor

COLUMNS = (
    "platform", "workspace", "event_key", "kind", "person", "community", "target_person",
    "thread_key", "occurred_at", "attrs", "processed", "received_at",
)  # fmt: skip
KEY = "platform, workspace, event_key"
SQLITE_INSERT = (
    f"INSERT INTO inbox_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    f"ON CONFLICT ({KEY}) DO NOTHING"
)
POSTGRES_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS inbox_event_load ON COMMIT DELETE ROWS AS "
    f"SELECT 0 AS position, {', '.join(COLUMNS)} FROM inbox_event WITH NO DATA"
)
POSTGRES_COPY = f"COPY inbox_event_load (position, {', '.join(COLUMNS)}) FROM STDIN"
# Ids follow the callers' order, as with a plain INSERT: folding reads in id order.
POSTGRES_MOVE = (
    f"INSERT INTO inbox_event ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} "
    f"FROM inbox_event_load ORDER BY position ON CONFLICT ({KEY}) DO NOTHING"
)


def insert_new_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows in the connection's transaction, skipping stored keys; return how many
    were new."""
    if not rows:
        return 0
    values = row_values(connection.dialect, rows)
    if connection.dialect.name == "postgresql":
        return _copy_then_move(connection, values)
    return max(connection.exec_driver_sql(SQLITE_INSERT, values).rowcount, 0)


def row_values(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
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


def _copy_then_move(connection: Connection, values: list[tuple[Any, ...]]) -> int:
    connection.exec_driver_sql(POSTGRES_STAGE)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(POSTGRES_COPY) as copy:  # type: ignore[union-attr]
        for position, value in enumerate(values):
            copy.write_row((position, *value))
    moved = connection.exec_driver_sql(POSTGRES_MOVE).rowcount
    connection.exec_driver_sql("DELETE FROM inbox_event_load")
    return max(moved, 0)


def _unchanged(value: Any) -> Any:
    return value
