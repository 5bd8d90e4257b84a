"""The outbox rows' life: claimed for sending, a delivery result decided on, recorded.

A claim sets the row `sending` with a lease. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
several processes claim at once without taking the same row; SQLite has one writer at a
time (`BEGIN IMMEDIATE`), which serialises claims the same way. A claim whose process
died keeps its row `sending` until the lease expires: then it is `unknown`, never sent
again (at most once).

What a delivery result means for the row is a pure decision (`decide`): sent, retried
later with backoff, paused with the workspace after a rate limit, or dead. `record`
writes it back, and moves the suggestion the message carries along.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from bot.delivery import (
    Delivered,
    DeliveryResult,
    Recipient,
    RetryAfter,
    TransientFailure,
)
from bot.storage.tables import OUTBOX, PERSON, SUGGESTION, WORKSPACE
from nudges.policy.budget import release_slots

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


BACKOFF_CAP = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Transient failures retry after `base * 2^(n-1)` (capped), drawn with equal jitter:
    half the delay is fixed, the other half random, so retries spread out."""

    max_attempts: int = 6
    base_seconds: float = 30.0
    cap: timedelta = BACKOFF_CAP

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        ceiling = min(self.cap.total_seconds(), self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass(frozen=True, slots=True)
class Refusal:
    """A send check's "no", with the reason recorded on the cancelled row."""

    reason: str

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class Decision:
    state: str
    last_error: str | None = None
    not_before: datetime | None = None
    attempts: int | None = None
    delivered: Delivered | None = None
    pause_workspace_until: datetime | None = None


def decide(
    result: DeliveryResult, attempts: int, now: datetime, policy: RetryPolicy, rng: random.Random
) -> Decision:
    """`attempts` counts this one. A rate limit gives the attempt back and pauses the
    person's whole workspace until the platform's delay has passed."""
    if isinstance(result, Delivered):
        return Decision("sent", delivered=result)
    if isinstance(result, RetryAfter):
        until = now + timedelta(seconds=max(result.seconds, 0.0))
        return Decision(
            "pending",
            last_error=f"rate limited ({result.reason}): retry after {result.seconds:g} s",
            not_before=until,
            attempts=attempts - 1,
            pause_workspace_until=until,
        )
    if isinstance(result, TransientFailure):
        if attempts >= policy.max_attempts:
            return Decision(
                "dead", last_error=f"gave up after {attempts} attempts: {result.reason}"
            )
        return Decision(
            "pending", last_error=result.reason, not_before=now + policy.delay(attempts, rng)
        )
    return Decision("dead", last_error=f"permanent: {result.reason}")


SUGGESTION_STATES = {"sent": "sent", "dead": "failed"}


def record(session: Session, claim: Claim, decision: Decision, now: datetime) -> bool:
    """Apply `decision` if the row is still this claim's; False if it was not.

    A successful send also overwrites `unknown` (the lease ran out while the platform
    was answering: now we know it arrived). Anything else leaves `unknown` alone.
    """
    values: dict[str, Any] = {"state": decision.state, "lease_until": None}
    if decision.last_error is not None:
        values["last_error"] = decision.last_error[:500]
    if decision.not_before is not None:
        values["not_before"] = decision.not_before
    if decision.attempts is not None:
        values["attempts"] = decision.attempts
    if decision.delivered is not None:
        values["sent_at"] = now
        delivered = {
            "conversation": decision.delivered.conversation,
            "message": decision.delivered.message,
        }
        values["payload"] = {**claim.payload, "delivered": delivered}
    states = ("sending", "unknown") if decision.state == "sent" else ("sending",)
    result = session.connection().execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id == claim.id,
            OUTBOX.c.attempts == claim.attempts,
            OUTBOX.c.state.in_(states),
        )
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    _follow_suggestion(session, claim, decision.state, now)
    if decision.pause_workspace_until is not None:
        pause_workspace(session, claim.workspace_id, decision.pause_workspace_until)
    return True


def pause_workspace(session: Session, workspace_id: int, until: datetime) -> int:
    """Hold the workspace's other pending rows until the platform's rate limit has passed."""
    people = select(PERSON.c.id).where(PERSON.c.workspace_id == workspace_id)
    result = session.connection().execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.state == "pending",
            OUTBOX.c.not_before < until,
            OUTBOX.c.person_id.in_(people),
        )
        .values(not_before=until)
    )
    return max(result.rowcount, 0)


def _follow_suggestion(session: Session, claim: Claim, state: str, now: datetime) -> None:
    suggestion_id = claim.payload.get("suggestion_id")
    new_state = SUGGESTION_STATES.get(state)
    if new_state is None or not isinstance(suggestion_id, int):
        return
    values: dict[str, Any] = {"state": new_state}
    if new_state == "sent":
        values["sent_at"] = now
    changed = session.connection().execute(
        update(SUGGESTION)
        .where(SUGGESTION.c.id == suggestion_id, SUGGESTION.c.state == "planned")
        .values(**values)
    )
    if new_state == "failed" and changed.rowcount:
        release_slots(session, [suggestion_id])  # never reached the person
