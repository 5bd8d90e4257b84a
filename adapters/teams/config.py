"""The configuration object botbuilder reads, built from Settings (never from the environment)."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants

from bot.settings import Settings


@dataclass(frozen=True)
class BotFrameworkConfig:
    """Attribute names are the ones `ConfigurationBotFrameworkAuthentication` looks up."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None

    @property
    def authenticates(self) -> bool:
        """JWT validation is on whenever an app id is set."""
        return bool(self.APP_ID)


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    """Public-cloud defaults; a custom OpenID metadata URL switches to explicit parameters."""
    base = BotFrameworkConfig(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TENANTID=settings.teams_app_tenant_id,
        APP_TYPE=settings.teams_app_type,
    )
    if not settings.teams_openid_metadata_url:
        return base
    return BotFrameworkConfig(
        APP_ID=base.APP_ID,
        APP_PASSWORD=base.APP_PASSWORD,
        APP_TENANTID=base.APP_TENANTID,
        APP_TYPE=base.APP_TYPE,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams_openid_metadata_url,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        ),
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )
