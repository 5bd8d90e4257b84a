"""Slack installs kept in our database: bot tokens sealed at rest, disabled on uninstall."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from sqlmodel import Session, select

from adapters.slack.install_rows import Key, install_key, install_row, mark_workspace
from bot.events import utcnow
from bot.settings import TokenCipher
from bot.storage.database import Database
from bot.storage.models import SlackInstallation

log = logging.getLogger("engage.slack.installs")
CACHE_SECONDS = 60.0


class OAuthInstalls(AsyncInstallationStore):
    """Bot installs from the OAuth flow; lookups are cached for a minute per process."""

    def __init__(self, database: Database, cipher: TokenCipher) -> None:
        self._database = database
        self._cipher = cipher
        self._cache: dict[Key, tuple[float, Bot | None]] = {}

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
        self._cache.clear()
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

        row = await self._database.read(find)
        bot = self._bot(row) if row is not None else None
        self._cache[key] = (time.monotonic() + CACHE_SECONDS, bot)
        return bot

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
        self._cache.clear()
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
        self._cache.clear()
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
