"""Claiming due outbox rows for sending, and expiring the claims of dead processes.

A claim sets the row `sending` with a lease. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
several processes claim at once without taking the same row; SQLite has one writer at a
time (`BEGIN IMMEDIATE`), which serialises claims the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from bot.delivery import Recipient
from bot.storage.tables import OUTBOX, PERSON, WORKSPACE

LEASE_EXPIRED = "lease expired while sending: may or may not have been delivered"


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this process is sending; `attempts` (after the claim) is the claim's token."""

    id: int
    kind: str
    person_id: int
    workspace_id: int
    recipient: Recipient
    payload: dict[str, Any]
    attempts: int
    person_deleted: bool


def claim_due(
    session: Session, now: datetime, platforms: Collection[str], limit: int, lease: timedelta
) -> list[Claim]:
    """Claim up to `limit` pending rows due by `now` for people on `platforms`."""
    if not platforms or limit <= 0:
        return []
    connection = session.connection()
    due = (
        select(OUTBOX.c.id)
        .select_from(_with_recipient())
        .where(
            OUTBOX.c.state == "pending",
            OUTBOX.c.not_before <= now,
            WORKSPACE.c.platform.in_(list(platforms)),
        )
        .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(of=OUTBOX, skip_locked=True)
    )
    ids = list(connection.execute(due).scalars())
    if not ids:
        return []
    connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(ids))
        .values(state="sending", lease_until=now + lease, attempts=OUTBOX.c.attempts + 1)
    )
    rows = connection.execute(
        select(
            OUTBOX.c.id,
            OUTBOX.c.kind,
            OUTBOX.c.person_id,
            OUTBOX.c.payload,
            OUTBOX.c.attempts,
            PERSON.c.workspace_id,
            PERSON.c.external_id.label("person"),
            PERSON.c.deleted,
            WORKSPACE.c.platform,
            WORKSPACE.c.external_id.label("workspace"),
        )
        .select_from(_with_recipient())
        .where(OUTBOX.c.id.in_(ids))
        .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
    )
    return [
        Claim(
            id=row.id,
            kind=row.kind,
            person_id=row.person_id,
            workspace_id=row.workspace_id,
            recipient=Recipient(row.platform, row.workspace, row.person),
            payload=dict(row.payload or {}),
            attempts=row.attempts,
            person_deleted=row.deleted,
        )
        for row in rows
    ]


def expire_leases(session: Session, now: datetime) -> int:
    """Rows still `sending` after their lease belong to a process that died mid-send.

    Nobody knows whether the platform got them, so they become `unknown` and are never
    sent again (at most once).
    """
    result = session.connection().execute(
        update(OUTBOX)
        .where(OUTBOX.c.state == "sending", OUTBOX.c.lease_until < now)
        .values(state="unknown", last_error=LEASE_EXPIRED)
    )
    return max(result.rowcount, 0)


def _with_recipient() -> Any:
    return OUTBOX.join(PERSON, PERSON.c.id == OUTBOX.c.person_id).join(
        WORKSPACE, WORKSPACE.c.id == PERSON.c.workspace_id
    )
