"""Profiles (`users.info`, `team_join`, `user_change`) and App Home visits -> PersonSeen.

A profile is keyed by its `updated` time and content, so the same version seen twice
(an event and a lookup) is recorded once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from adapters.slack.envelope import PLATFORM, Envelope, Payload
from bot.events import Event, PersonSeen


def person_seen(workspace: str, user: Payload, fallback: datetime) -> PersonSeen:
    """A profile (from `users.info`, `team_join` or `user_change`) as a PersonSeen."""
    profile: Payload = user.get("profile") or {}
    updated = user.get("updated")
    display_name: str | None = profile.get("display_name") or profile.get("real_name") or None
    locale: str | None = user.get("locale") or None
    tz: str | None = user.get("tz") or None
    is_bot = bool(user.get("is_bot")) or bool(user.get("is_app_user"))
    deleted = bool(user.get("deleted"))
    fields = [updated, display_name, locale, tz, is_bot, deleted]
    digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]
    when = datetime.fromtimestamp(updated, UTC) if isinstance(updated, int) else fallback
    return PersonSeen(
        platform=PLATFORM,
        workspace=workspace,
        key=f"{user['id']}:profile:{digest}",
        occurred_at=when,
        person=str(user["id"]),
        display_name=display_name,
        locale=locale,
        tz=tz,
        is_bot=is_bot,
        deleted=deleted,
    )


def profile_event(envelope: Envelope, event: Payload) -> list[Event]:
    user = event.get("user")
    if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
        return []
    return [person_seen(envelope.workspace, user, envelope.when())]


def home_opened(envelope: Envelope, event: Payload) -> list[Event]:
    user = envelope.person(event.get("user"))
    if user is None:
        return []
    return [PersonSeen(**envelope.common(envelope.event_id, envelope.when()), person=user)]
