"""The audit log: who changed which role or campaign, and when (never message text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session

from bot.clock import utcnow
from bot.storage.models import Audit

Source = Literal["chat", "form", "cli", "yaml", "platform", "scheduler"]


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a person in a workspace, or the operator (`person_id=None`)."""

    workspace_id: int
    person_id: int | None
    source: Source

    @property
    def is_operator(self) -> bool:
        """The CLI and YAML files are run by whoever operates Engage: they hold every role."""
        return self.person_id is None and self.source in ("cli", "yaml", "scheduler")


def record_audit(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_id: int | None = None,
    community_id: int | None = None,
    campaign_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Audit:
    """Add one audit row in the caller's transaction: the change and its trace commit together."""
    row = Audit(
        workspace_id=actor.workspace_id,
        created_at=utcnow(),
        source=actor.source,
        actor_id=actor.person_id,
        action=action,
        subject_id=subject_id,
        community_id=community_id,
        campaign_id=campaign_id,
        details=details or {},
    )
    session.add(row)
    return row
