"""How Bolt authorizes requests: from our own installs (multi-workspace OAuth, with its state
in our database), or from `SLACK_BOT_TOKEN` without waiting on Slack.

Bolt's own single-workspace authorization calls `auth.test` on the first request, and on
every request until one call succeeds: while Slack's API is slow or down, every request
not taken by the fast lane would wait for it before its acknowledgement. Here the token
authorizes at once; the bot's own user and bot ids (to ignore its own events) come from
one `auth.test` asked beside the request, and are used as soon as it answers.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete
from sqlmodel import Session

from adapters.slack.installs import OAuthInstalls
from adapters.slack.scopes import BOT_SCOPES
from bot.events import utcnow
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import SlackOAuthState
from bot.storage.tables import SLACK_OAUTH_STATE

log = logging.getLogger("engage.slack.oauth")
STATE_LIFETIME = timedelta(minutes=10)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
RETRY_SECONDS = 60.0
"""Between two `auth.test` asked for the bot's own ids, while Slack does not answer."""


class OAuthStates(AsyncOAuthStateStore):
    """One-time `state` values for the OAuth redirect, valid for ten minutes."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        expires = utcnow() + STATE_LIFETIME
        await self._database.write(
            lambda session: session.add(SlackOAuthState(state=state, expires_at=expires))
        )
        return state

    async def async_consume(self, state: str) -> bool:
        now = utcnow()

        def consume(session: Session) -> bool:
            connection = session.connection()
            connection.execute(
                delete(SLACK_OAUTH_STATE).where(SLACK_OAUTH_STATE.c.expires_at <= now)
            )
            used = connection.execute(
                delete(SLACK_OAUTH_STATE).where(SLACK_OAUTH_STATE.c.state == state)
            )
            return used.rowcount == 1

        return await self._database.write(consume)


class InstalledAuthorize(AsyncAuthorize):
    """Authorize each request from the stored install, without an auth.test call per request."""

    def __init__(self, installs: OAuthInstalls) -> None:
        self._installs = installs

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
        bot = await self._installs.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        if bot is None:
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id or enterprise_id,
            team_id=bot.team_id or team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


class OAuthFlow(AsyncOAuthFlow):
    """Bolt's flow, with a Slack that does not answer in time treated as a failed exchange."""

    async def run_installation(self, code: str) -> Installation | None:
        try:
            return await super().run_installation(code)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("oauth.v2.access got no answer: %s", type(error).__name__)
            return None


def oauth_flow(settings: Settings, installs: OAuthInstalls, states: OAuthStates) -> OAuthFlow:
    return OAuthFlow(settings=oauth_settings(settings, installs, states), logger=log)


def oauth_settings(
    settings: Settings, installs: OAuthInstalls, states: OAuthStates
) -> AsyncOAuthSettings:
    public = settings.public_url.rstrip("/")
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=f"{public}{REDIRECT_PATH}" if public else None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installs,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=int(STATE_LIFETIME.total_seconds()),
    )


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
