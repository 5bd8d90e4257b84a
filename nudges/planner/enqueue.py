"""Writing planned messages: suggestion rows and their outbox rows, deduplicated.

An outbox row's key is unique: `suggestion:<person>:<community>:<ISO week>`,
`introduction:<person>`. A key already taken means another pass planned it: the
suggestion row made for it is removed, and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Insert,
    Text,
    bindparam,
    cast,
    delete,
    insert,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.storage.tables import OUTBOX, SUGGESTION

BATCH = 500


def suggestion_key(person_id: int, community_id: int, week: str) -> str:
    return f"suggestion:{person_id}:{community_id}:{week}"


def outbox_row(
    key: str, kind: str, person_id: int, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "dedup_key": key,
        "kind": kind,
        "person_id": person_id,
        "payload": {"kind": kind, "person_id": person_id, **payload},
        "state": "pending",
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def outbox_text_row(
    key: str, kind: str, person_id: int, payload_json: str, now: datetime
) -> dict[str, Any]:
    """An outbox row whose payload is already JSON text (see `insert_outbox_text`)."""
    return {
        "dedup_key": key,
        "kind": kind,
        "person_id": person_id,
        "payload_json": payload_json,
        "state": "pending",
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def insert_suggestions(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert planned suggestions; their ids in the order given.

    Rows of distinct (person, community) are matched to their ids by that pair, so that
    they are inserted many at a time (asking for the ids in order makes SQLite insert
    them one by one)."""
    if not rows:
        return []
    connection = session.connection()
    keys = [(row["person_id"], row["community_id"]) for row in rows]
    if len(set(keys)) < len(keys):
        statement = insert(SUGGESTION).returning(SUGGESTION.c.id, sort_by_parameter_order=True)
        return [row.id for row in connection.execute(statement, list(rows))]
    statement = insert(SUGGESTION).returning(
        SUGGESTION.c.id, SUGGESTION.c.person_id, SUGGESTION.c.community_id
    )
    ids = {
        (row.person_id, row.community_id): row.id
        for row in connection.execute(statement, list(rows))
    }
    return [ids[key] for key in keys]


def insert_outbox(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert rows whose key is free; return the keys inserted."""
    if not rows:
        return set()
    connection = session.connection()
    statement = _ignoring_taken_keys(connection).returning(OUTBOX.c.dedup_key)
    return {key for (key,) in connection.execute(statement, list(rows))}


def insert_outbox_text(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """`insert_outbox` for rows made by `outbox_text_row`: their JSON is stored as given."""
    if not rows:
        return set()
    connection = session.connection()
    statement = (
        _ignoring_taken_keys(connection)
        .values(payload=_json_text(connection))
        .returning(OUTBOX.c.dedup_key)
    )
    return {key for (key,) in connection.execute(statement, list(rows))}


def drop_suggestions(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.connection().execute(delete(SUGGESTION).where(SUGGESTION.c.id.in_(list(ids))))


def _ignoring_taken_keys(connection: Connection) -> Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedup_key"])
    return sqlite.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedup_key"])


def _json_text(connection: Connection) -> ColumnElement[Any]:
    """The `payload_json` parameter, stored in the JSON column without encoding it again."""
    text = bindparam("payload_json", type_=Text())
    return cast(text, JSON) if connection.dialect.name == "postgresql" else text
