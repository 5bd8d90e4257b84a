"""Adding a message to the outbox, once per dedup key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from bot.events import as_utc, utcnow
from bot.storage.tables import OUTBOX


def enqueue(
    session: Session,
    dedup_key: str,
    kind: str,
    person_id: int,
    payload: dict[str, Any],
    not_before: datetime | None = None,
) -> bool:
    """Queue a message in the caller's transaction; False when the key was already queued.

    The dedup key names the message's identity (e.g. `suggestion:{person}:{community}:
    2026-W14`), so planning twice, or in two processes at once, queues it once. `payload`
    holds the card as `nudges.card_data.card_to_data` returns it under `"card"`, plus
    whatever the producer needs later (`suggestion_id`, `community_id`…); `kind` is
    copied into it so the consent check sees it.
    """
    now = utcnow()
    values = {
        "dedup_key": dedup_key,
        "kind": kind,
        "person_id": person_id,
        "payload": {**payload, "kind": kind},
        "state": "pending",
        "not_before": as_utc(not_before) if not_before is not None else now,
        "attempts": 0,
        "created_at": now,
    }
    insert = (
        postgresql_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
    )
    statement = (
        insert(OUTBOX)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(OUTBOX.c.id)
    )
    return session.connection().execute(statement).first() is not None
