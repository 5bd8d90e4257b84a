"""Outbound Slack: DM a card, update it, invite on the person's own click, publish a home view.

Every method returns a `bot.delivery` result and never raises for Slack's answers: a 429
becomes `RetryAfter` (short waits are retried in place once), permanent errors
(`channel_not_found`, `is_archived`, `user_not_found`, `account_inactive`, …) become
`PermanentFailure`, anything else `TransientFailure`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import web_client
from adapters.slack.credentials import Credentials, SingleWorkspace
from adapters.slack.installs import OAuthInstalls
from adapters.slack.outcomes import attempt
from adapters.slack.permalinks import Permalinks
from adapters.slack.render import home_view, message
from adapters.slack.roster import install_roster
from bot.cards import Card
from bot.delivery import Delivered, DeliveryResult, PermanentFailure, Recipient
from bot.services import Services
from bot.settings import Platform, Settings, TokenCipher

NOT_INSTALLED = "not_installed"
APP_REDIRECT = "https://slack.com/app_redirect"


class SlackGateway:
    platform = Platform.SLACK.value

    def __init__(self, settings: Settings, credentials: Credentials) -> None:
        self._settings = settings
        self._credentials = credentials
        self.permalinks = Permalinks(settings, credentials)

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        """Open (or reuse) the DM with the person and post the card there."""

        async def send(client: AsyncWebClient) -> DeliveryResult:
            opened = await client.conversations_open(users=recipient.person)
            channel = str((opened.get("channel") or {}).get("id"))
            posted = await client.chat_postMessage(channel=channel, **message(card))
            return Delivered(conversation=channel, message=str(posted.get("ts")))

        return await self._with_client(recipient.workspace, send)

    async def update_card(
        self, recipient: Recipient, sent: Delivered, card: Card
    ) -> DeliveryResult:
        if sent.conversation is None or sent.message is None:
            return PermanentFailure("message_not_found")
        channel, ts = sent.conversation, sent.message

        async def update(client: AsyncWebClient) -> DeliveryResult:
            await client.chat_update(channel=channel, ts=ts, **message(card))
            return sent

        return await self._with_client(recipient.workspace, update)

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        """Add the person to the channel; only ever on that person's own click."""

        async def invite_person(client: AsyncWebClient) -> DeliveryResult:
            try:
                await client.conversations_invite(channel=community, users=recipient.person)
            except SlackApiError as error:
                if error.response.get("error") != "already_in_channel":
                    raise
            return Delivered(conversation=community)

        return await self._with_client(recipient.workspace, invite_person)

    async def publish_home(self, recipient: Recipient, card: Card) -> DeliveryResult:
        async def publish(client: AsyncWebClient) -> DeliveryResult:
            await client.views_publish(user_id=recipient.person, view=home_view(card))
            return Delivered()

        return await self._with_client(recipient.workspace, publish)

    def community_link(self, workspace: str, community: str) -> str:
        return f"{APP_REDIRECT}?{urlencode({'team': workspace, 'channel': community})}"

    async def thread_link(self, workspace: str, community: str, thread_key: str) -> str:
        """The thread's permalink (`channel:ts` key), else the channel's link."""
        channel, _, ts = thread_key.rpartition(":")
        link = await self.permalinks.get(workspace, channel, ts) if channel and ts else None
        return link or self.community_link(workspace, community)

    async def _with_client(
        self, workspace: str, work: Callable[[AsyncWebClient], Awaitable[DeliveryResult]]
    ) -> DeliveryResult:
        token = await self._credentials.bot_token(workspace)
        if token is None:
            return PermanentFailure(NOT_INSTALLED)
        client = web_client(self._settings, token)
        return await attempt(lambda: work(client))


def credentials_for(services: Services) -> Credentials | None:
    """The installs (OAuth) or the single bot token; None when Slack is not configured."""
    settings = services.settings
    if settings.slack_client_id and settings.slack_client_secret:
        cipher = TokenCipher(settings.secret_key, settings.secret_key_fallbacks)
        return OAuthInstalls(services.database, cipher)
    if settings.slack_bot_token:
        return SingleWorkspace(settings.slack_bot_token)
    return None


def build_gateway(services: Services) -> SlackGateway | None:
    """The `engage.gateways` entry point, for processes that deliver without serving Slack."""
    credentials = credentials_for(services)
    if credentials is None:
        return None
    install_roster(services, credentials)
    return SlackGateway(services.settings, credentials)
