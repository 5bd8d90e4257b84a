"""Slack workspace admins and owners (from `users.info`) are Engage admins too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from adapters.slack.envelope import PLATFORM
from bot.animators.roles import mark_platform_admin
from bot.events import utcnow
from bot.privacy.rights import load_objections, person_hash
from bot.storage.database import Database
from bot.tracker.directory import Directory


def is_slack_admin(user: Mapping[str, Any]) -> bool:
    return any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def sync_admin(database: Database, workspace: str, user: Mapping[str, Any]) -> None:
    """Mirror the profile's admin flag on the person's row (audited when it changes).

    The row is created if the person was not folded yet, unless they object to tracking.
    """
    if not user.get("id") or user.get("is_bot"):
        return
    person, admin = str(user["id"]), is_slack_admin(user)

    def mark(session: Session) -> None:
        salt, objections = load_objections(session)
        if person_hash(salt, PLATFORM, workspace, person) in objections:
            return
        directory = Directory()
        directory.workspace_ids(session, [(PLATFORM, workspace)])
        workspace_id = directory.workspaces[(PLATFORM, workspace)]
        directory.person_ids(session, {(workspace_id, person): utcnow()})
        mark_platform_admin(session, directory.people[(workspace_id, person)], admin)

    await database.write(mark)
