"""The parts of an Events API `event_callback` every translator needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.importers.slack_translate import moment

PLATFORM = "slack"
Payload = Mapping[str, Any]


class Envelope:
    """The parts of an `event_callback` every translator needs."""

    def __init__(self, body: Payload) -> None:
        self.event: Payload = body.get("event") or {}
        self.workspace: str = body.get("team_id") or self.event.get("team") or ""
        self.event_id: str = body.get("event_id") or ""
        self.event_time: int = int(body.get("event_time") or 0)
        self.bot_users = {
            auth.get("user_id") for auth in body.get("authorizations") or () if auth.get("is_bot")
        }

    def when(self, ts: str | None = None) -> datetime:
        stamp = ts or self.event.get("event_ts")
        if stamp:
            return moment(stamp)
        return datetime.fromtimestamp(self.event_time, UTC)

    def common(self, key: str, when: datetime) -> dict[str, Any]:
        return {"platform": PLATFORM, "workspace": self.workspace, "key": key, "occurred_at": when}

    def person(self, user: object) -> str | None:
        """The user id when it names a person, None when absent or the app's own bot user."""
        if not isinstance(user, str) or not user or user in self.bot_users:
            return None
        return user
