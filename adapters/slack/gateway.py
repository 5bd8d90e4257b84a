"""Outbound Slack: DM a card, update it, invite on the person's own click, publish a home
view, link to a thread.

Every method returns a `bot.delivery` result and never raises for Slack's answers: a 429
becomes `RetryAfter` (short waits are retried in place once), permanent errors
(`channel_not_found`, `is_archived`, `user_not_found`, `account_inactive`, …) become
`PermanentFailure`, anything else `TransientFailure`.

Thread links for the digest come from `chat.getPermalink`, cached and rate-limited: a
permalink never changes, so each (workspace, channel, ts) is asked once per process
(`CACHE_SIZE` most recent kept), at most `PER_MINUTE` calls a minute per workspace (Slack
allows more for this method, so the digest leaves room for everything else); past that,
and on any failure, the channel's link stands in and the permalink is asked again next
time. Only ids go to Slack and come back; never text.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import aiohttp
from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import retry_after, web_client
from adapters.slack.installs import Credentials, OAuthInstalls, SingleWorkspace
from adapters.slack.render import home_view, message
from adapters.slack.roster import install_roster
from bot.cards import Card
from bot.crypto import TokenCipher
from bot.delivery import (
    Delivered,
    DeliveryResult,
    PermanentFailure,
    Recipient,
    RetryAfter,
    TransientFailure,
)
from bot.services import Services
from bot.settings import Platform, Settings

NOT_INSTALLED = "not_installed"
APP_REDIRECT = "https://slack.com/app_redirect"
DEFAULT_RETRY_SECONDS = 1.0

PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "cant_invite",
        "cant_invite_self",
        "channel_not_found",
        "ekm_access_denied",
        "invalid_auth",
        "invalid_blocks",
        "is_archived",
        "message_not_found",
        "messages_tab_disabled",
        "method_not_supported_for_channel_type",
        "missing_scope",
        "msg_too_long",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_expired",
        "token_revoked",
        "user_disabled",
        "user_is_restricted",
        "user_not_found",
        "user_not_visible",
    }
)

permalinks_log = logging.getLogger("engage.slack.permalinks")
PER_MINUTE = 50
CACHE_SIZE = 10_000
MINUTE = 60.0


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
    """A Slack gateway for processes that deliver without serving Slack (see `adapters.main`)."""
    credentials = credentials_for(services)
    if credentials is None:
        return None
    install_roster(services, credentials)
    return SlackGateway(services.settings, credentials)


def classify(error: SlackApiError) -> DeliveryResult:
    response = error.response
    code = str(response.get("error") or f"http_{response.status_code}")
    if response.status_code == 429 or code == "ratelimited":
        wait = retry_after(response.headers)
        return RetryAfter(DEFAULT_RETRY_SECONDS if wait is None else wait)
    if code in PERMANENT_ERRORS:
        return PermanentFailure(code)
    return TransientFailure(code)


async def attempt(call: Callable[[], Awaitable[DeliveryResult]]) -> DeliveryResult:
    """Run one Web API exchange; every expected failure becomes a result, never an exception."""
    try:
        return await call()
    except SlackApiError as error:
        return classify(error)
    except (aiohttp.ClientError, TimeoutError) as error:
        return TransientFailure(type(error).__name__)


class Permalinks:
    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        clock: Callable[[], float] = time.monotonic,
        per_minute: int = PER_MINUTE,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._clock = clock
        self._per_minute = per_minute
        self._cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._calls: defaultdict[str, deque[float]] = defaultdict(deque)

    async def get(self, workspace: str, channel: str, ts: str) -> str | None:
        """The message's permalink, or None when it cannot be had now."""
        key = (workspace, channel, ts)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if not self._take(workspace):
            permalinks_log.info(
                "chat.getPermalink: over %d a minute in %s", self._per_minute, workspace
            )
            return None
        token = await self._credentials.bot_token(workspace)
        if token is None:
            return None
        try:
            answer = await web_client(self._settings, token).chat_getPermalink(
                channel=channel, message_ts=ts
            )
        except (SlackClientError, ClientError, TimeoutError) as error:
            permalinks_log.info(
                "chat.getPermalink failed in %s: %s", workspace, type(error).__name__
            )
            return None
        link = answer.get("permalink")
        if not isinstance(link, str) or not link.startswith(("https://", "http://")):
            return None
        self._cache[key] = link
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return link

    def _take(self, workspace: str) -> bool:
        now, calls = self._clock(), self._calls[workspace]
        while calls and calls[0] <= now - MINUTE:
            calls.popleft()
        if len(calls) >= self._per_minute:
            return False
        calls.append(now)
        return True
