"""Bolt's authorize step in `SLACK_BOT_TOKEN` mode, without waiting on Slack.

Bolt's own single-workspace authorization calls `auth.test` on the first request, and on
every request until one call succeeds: while Slack's API is slow or down, every request
not taken by the fast lane would wait for it before its acknowledgement. Here the token
authorizes at once; the bot's own user and bot ids (to ignore its own events) come from
one `auth.test` asked beside the request, and are used as soon as it answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("engage.slack.authorize")
RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class BotIdentity:
    user_id: str | None
    bot_id: str | None


class SingleTokenAuthorize(AsyncAuthorize):
    def __init__(self, token: str) -> None:
        self._token = token
        self._identity: BotIdentity | None = None
        self._asking: asyncio.Task[None] | None = None
        self._next_try = 0.0

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        identity = self._identity
        if identity is None:
            self._ask(context.client)
            identity = BotIdentity(None, None)
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_user_id=identity.user_id,
            bot_id=identity.bot_id,
            bot_token=self._token,
            user_id=user_id,
        )

    async def close(self) -> None:
        if self._asking is not None:
            self._asking.cancel()
            await asyncio.gather(self._asking, return_exceptions=True)

    def _ask(self, client: AsyncWebClient) -> None:
        if self._asking is not None or time.monotonic() < self._next_try:
            return
        self._asking = asyncio.create_task(self._auth_test(client), name="auth.test")

    async def _auth_test(self, client: AsyncWebClient) -> None:
        try:
            found = await client.auth_test(token=self._token)
            self._identity = BotIdentity(found.get("user_id"), found.get("bot_id"))
        except SlackApiError as error:
            log.warning("auth.test failed: %s", error.response.get("error"))
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("auth.test got no answer: %s", type(error).__name__)
        finally:
            self._asking = None
            self._next_try = time.monotonic() + RETRY_SECONDS
