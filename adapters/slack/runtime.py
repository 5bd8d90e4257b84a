"""Everything the Slack listeners share, built once per server."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.credentials import Credentials
from adapters.slack.gateway import SlackGateway
from adapters.slack.oauth import SingleTokenAuthorize
from adapters.slack.people import People
from adapters.slack.roster import RosterTriggers
from bot.commands import Asker, Router
from bot.services import Services

PLATFORM = "slack"


@dataclass
class SlackRuntime:
    services: Services
    router: Router
    people: People
    credentials: Credentials
    gateway: SlackGateway
    authorize: SingleTokenAuthorize | None
    roster_triggers: RosterTriggers | None = None

    async def close(self) -> None:
        """Cancel the lookups still running beside requests."""
        await self.people.close()
        if self.authorize is not None:
            await self.authorize.close()

    async def asker(self, context: AsyncBoltContext, community: str | None = None) -> Asker:
        """The person behind a command or click, in their Slack language when known."""
        workspace, person = context.team_id or "", context.user_id or ""
        profile = await self.people.profile(context.client, workspace, person)
        return Asker(
            platform=PLATFORM,
            workspace=workspace,
            person=person,
            locale=profile.locale if profile else None,
            community=community,
        )
