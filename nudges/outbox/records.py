"""Writing a claim's outcome back to its outbox row (and to the suggestion it carries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from bot.storage.tables import OUTBOX, PERSON, SUGGESTION
from nudges.outbox.claims import Claim
from nudges.outbox.decide import Decision
from nudges.policy.budget import release_slots

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
