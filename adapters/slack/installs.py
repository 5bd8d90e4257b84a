"""Where Engage is installed in Slack and how it speaks there.

- `Credentials`: which bot token speaks for a workspace (`SingleWorkspace` for
  `SLACK_BOT_TOKEN`, `OAuthInstalls` for multi-workspace OAuth), forgotten when Slack
  revokes it;
- `OAuthInstalls` and the rows behind it: bot tokens sealed at rest, the workspace's
  active flag, installs disabled on uninstall;
- how Bolt authorizes requests: from our own installs (the OAuth flow keeps its `state`
  in our database), or from `SLACK_BOT_TOKEN` without waiting on Slack. Bolt's own
  single-workspace authorization calls `auth.test` on the first request, and on every
  request until one call succeeds: while Slack's API is slow or down, every request not
  taken by the fast lane would wait for it. Here the token authorizes at once; the bot's
  own ids (to ignore its own events) come from one `auth.test` asked beside the request;
- what the app asks for: bot scopes and the events it subscribes to.
Its Web API clients come from `adapters.slack.clients`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot.crypto import TokenCipher
from bot.events import utcnow
from bot.settings import Settings
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.database import Database
from bot.storage.models import SlackInstallation, SlackOAuthState
from bot.storage.tables import SLACK_OAUTH_STATE, WORKSPACE

PLATFORM = "slack"

Payload = Mapping[str, Any]
"""A Slack JSON payload (an event, a profile, a request body)."""

credentials_log = logging.getLogger("engage.slack.credentials")
log = logging.getLogger("engage.slack.installs")
oauth_log = logging.getLogger("engage.slack.oauth")

BOT_SCOPES: tuple[str, ...] = (
    "channels:history",
    "channels:read",
    "channels:manage",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "groups:write",
    "im:write",
    "reactions:read",
    "users:read",
    "users:read.email",
    "users.profile:read",
)

# Manifest event names; `message.channels` and `message.groups` both arrive as `message`.
BOT_EVENTS: tuple[str, ...] = (
    "message.channels",
    "message.groups",
    "reaction_added",
    "reaction_removed",
    "member_joined_channel",
    "member_left_channel",
    "channel_created",
    "channel_rename",
    "channel_archive",
    "channel_unarchive",
    "channel_deleted",
    "team_join",
    "user_change",
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
)

SLASH_COMMAND = "/engage"
CACHE_SECONDS = 60.0
STATE_LIFETIME = timedelta(minutes=10)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"

RETRY_SECONDS = 60.0
"""Between two `auth.test` asked for the bot's own ids, while Slack does not answer."""


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
        credentials_log.warning(
            "Slack revoked SLACK_BOT_TOKEN (team %s uninstalled the app or revoked its token): "
            "install the app again, set the new token and restart",
            team_id,
        )


Key = tuple[str, str]


def install_key(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> Key:
    return (enterprise_id or "", "" if org_wide else team_id or "")


def install_row(
    session: Session, key: Key, *, active: bool | None = None
) -> SlackInstallation | None:
    query = select(SlackInstallation).where(
        SlackInstallation.enterprise_key == key[0], SlackInstallation.team_key == key[1]
    )
    if active is not None:
        query = query.where(SlackInstallation.active == active)
    return session.exec(query).first()


def mark_workspace(
    session: Session, team_id: str, *, active: bool, name: str | None = None
) -> None:
    connection = session.connection()
    now = utcnow()
    row = {"platform": PLATFORM, "external_id": team_id, "name": "", "active": active}
    insert_ignoring_conflicts(connection, WORKSPACE, [{**row, "created_at": now}])
    values: dict[str, object] = {"active": active} | ({"name": name} if name else {})
    connection.execute(
        update(WORKSPACE)
        .where(WORKSPACE.c.platform == PLATFORM, WORKSPACE.c.external_id == team_id)
        .values(**values)
    )


class OAuthInstalls(AsyncInstallationStore):
    """Bot installs from the OAuth flow; lookups are cached for a minute per process."""

    def __init__(self, database: Database, cipher: TokenCipher) -> None:
        self._database = database
        self._cipher = cipher
        self._cache: dict[Key, tuple[float, Bot | None]] = {}
        self._generation = 0
        """Bumped whenever installs change: a lookup read before the change is not cached."""

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        key = install_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        expires = bot.bot_token_expires_at

        def save(session: Session) -> None:
            row = install_row(session, key) or SlackInstallation(
                enterprise_key=key[0], team_key=key[1], bot_id="", bot_user_id="", bot_token=""
            )
            row.is_enterprise_install = bot.is_enterprise_install
            row.app_id, row.team_name = bot.app_id, bot.team_name
            row.bot_id, row.bot_user_id = bot.bot_id, bot.bot_user_id
            row.bot_scopes = ",".join(bot.bot_scopes)
            row.bot_token = self._cipher.seal(bot.bot_token)
            refresh = bot.bot_refresh_token
            row.bot_refresh_token = self._cipher.seal(refresh) if refresh else None
            row.bot_token_expires_at = datetime.fromtimestamp(expires, UTC) if expires else None
            row.installed_at, row.active, row.disabled_at = utcnow(), True, None
            session.add(row)
            if bot.team_id and not bot.is_enterprise_install:
                mark_workspace(session, bot.team_id, active=True, name=bot.team_name)

        await self._database.write(save)
        self._forget()
        log.info("Slack install saved for team %s", bot.team_id or bot.enterprise_id)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = install_key(enterprise_id, team_id, is_enterprise_install)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        org_key = (key[0], "")

        def find(session: Session) -> SlackInstallation | None:
            return install_row(session, key, active=True) or (
                install_row(session, org_key, active=True) if key[0] else None
            )

        generation = self._generation
        row = await self._database.read(find)
        bot = self._bot(row) if row is not None else None
        if generation == self._generation:
            self._cache[key] = (time.monotonic() + CACHE_SECONDS, bot)
        return bot

    def _forget(self) -> None:
        self._cache.clear()
        self._generation += 1

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """Engage installs with bot scopes only: there is no user installation to find."""
        return None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.disable(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.disable(enterprise_id, team_id)

    async def disable(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Stop using the install (app uninstalled or bot token revoked); keep the row."""

        def disable_rows(session: Session) -> None:
            for key in {install_key(enterprise_id, team_id, False), (enterprise_id or "", "")}:
                row = install_row(session, key, active=True)
                if row is not None:
                    row.active, row.disabled_at = False, utcnow()
                    session.add(row)
            if team_id:
                mark_workspace(session, team_id, active=False)

        await self._database.write(disable_rows)
        self._forget()
        log.info("Slack install disabled for team %s", team_id or enterprise_id)

    async def reseal(self) -> int:
        """Seal every stored token under the current key (after a rotation); all or none."""

        def reseal_rows(session: Session) -> int:
            rows = session.exec(select(SlackInstallation)).all()
            for row in rows:
                row.bot_token = self._cipher.reseal(row.bot_token)
                if row.bot_refresh_token:
                    row.bot_refresh_token = self._cipher.reseal(row.bot_refresh_token)
                session.add(row)
            return len(rows)

        count = await self._database.write(reseal_rows)
        self._forget()
        return count

    async def bot_token(self, workspace: str) -> str | None:
        bot = await self.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            row = await self._database.read(
                lambda session: session.exec(
                    select(SlackInstallation).where(
                        SlackInstallation.team_key == workspace,
                        SlackInstallation.active.is_(True),  # type: ignore[attr-defined]
                    )
                ).first()
            )
            bot = self._bot(row) if row is not None else None
        return bot.bot_token if bot is not None else None

    def _bot(self, row: SlackInstallation) -> Bot:
        return Bot(
            app_id=row.app_id,
            enterprise_id=row.enterprise_key or None,
            team_id=row.team_key or None,
            team_name=row.team_name,
            bot_token=self._cipher.open(row.bot_token),
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes,
            bot_refresh_token=self._cipher.open(row.bot_refresh_token)
            if row.bot_refresh_token
            else None,
            bot_token_expires_at=row.bot_token_expires_at,
            is_enterprise_install=row.is_enterprise_install,
            installed_at=row.installed_at,
        )


class OAuthStates(AsyncOAuthStateStore):
    """One-time `state` values for the OAuth redirect, valid for ten minutes."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @property
    def logger(self) -> logging.Logger:
        return oauth_log

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
            oauth_log.warning("oauth.v2.access got no answer: %s", type(error).__name__)
            return None


def oauth_flow(settings: Settings, installs: OAuthInstalls, states: OAuthStates) -> OAuthFlow:
    return OAuthFlow(settings=oauth_settings(settings, installs, states), logger=oauth_log)


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
            oauth_log.warning("auth.test failed: %s", error.response.get("error"))
        except (aiohttp.ClientError, TimeoutError) as error:
            oauth_log.warning("auth.test got no answer: %s", type(error).__name__)
        finally:
            self._asking = None
            self._next_try = time.monotonic() + RETRY_SECONDS
