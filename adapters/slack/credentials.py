"""Which bot token speaks for a workspace, and forgetting it when Slack revokes it."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("engage.slack.credentials")


class Credentials(Protocol):
    async def bot_token(self, workspace: str) -> str | None:
        """The bot token for a workspace (team id), or None when the app is not installed there."""
        ...

    async def disable(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Slack uninstalled the app or revoked its bot token: stop using it."""
        ...


class SingleWorkspace:
    """`SLACK_BOT_TOKEN` mode: one token; once Slack revokes it, this process stops using it."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.revoked = False

    async def bot_token(self, workspace: str) -> str | None:
        return None if self.revoked else self._token

    async def disable(self, enterprise_id: str | None, team_id: str | None) -> None:
        self.revoked = True
        log.warning(
            "Slack revoked SLACK_BOT_TOKEN (team %s uninstalled the app or revoked its token): "
            "install the app again, set the new token and restart",
            team_id,
        )
