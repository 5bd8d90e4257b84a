"""Writing planned messages: suggestion rows and their outbox rows, deduplicated.

An outbox row's key is unique: `suggestion:<person>:<community>:<ISO week>`,
`introduction:<person>`. A key already taken means another pass planned it: the
suggestion row made for it is removed, and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session

from bot.storage.bulk import insert_ignoring_taken, json_parameter
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
    statement = insert_ignoring_taken(connection, OUTBOX, ["dedup_key"]).returning(
        OUTBOX.c.dedup_key
    )
    return {key for (key,) in connection.execute(statement, list(rows))}


def insert_outbox_text(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """`insert_outbox` for rows made by `outbox_text_row`: their JSON is stored as given."""
    if not rows:
        return set()
    connection = session.connection()
    statement = (
        insert_ignoring_taken(connection, OUTBOX, ["dedup_key"])
        .values(payload=json_parameter(connection, "payload_json"))
        .returning(OUTBOX.c.dedup_key)
    )
    return {key for (key,) in connection.execute(statement, list(rows))}


def drop_suggestions(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.connection().execute(delete(SUGGESTION).where(SUGGESTION.c.id.in_(list(ids))))
