"""Who may post to `/api/messages`: Bot Framework JWT validation, on whenever an app id is set.

botframework-connector fetches its OpenID metadata with blocking `requests` calls, so a
token is validated on a worker thread (with its own event loop) and never stalls the server;
those fetches give up after `ENGAGE_API_TIMEOUT_SECONDS` (botframework sets no timeout).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import jwt
import requests
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata

from adapters.teams.config import BotFrameworkConfig
from adapters.teams.gateway import BoundedConnectors, BoundedTokens

log = logging.getLogger("engage.teams.auth")


class UnauthorizedError(Exception):
    """The request carries no valid Bot Framework token."""


class AuthUnavailableError(Exception):
    """The token could not be checked (OpenID metadata unreachable): worth a retry."""


class BoundedOpenIdMetadata(_OpenIdMetadata):  # type: ignore[misc]
    """botframework's OpenID metadata and signing keys, fetched with a timeout."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url)
        self.timeout = timeout

    async def _refresh(self) -> None:
        # Runs on the worker thread's own event loop (see `_check_blocking`): blocking is fine.
        response = requests.get(self.url, timeout=self.timeout)  # noqa: ASYNC210
        response.raise_for_status()
        keys = requests.get(response.json()["jwks_uri"], timeout=self.timeout)  # noqa: ASYNC210
        keys.raise_for_status()
        self.last_updated = datetime.now()
        self.keys = keys.json()["keys"]


class BoundedAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """Bounded OpenID metadata fetches; bounded connector clients for proactive sends and
    new conversations."""

    def __init__(self, config: BotFrameworkConfig, timeout: float) -> None:
        tokens = BoundedTokens(ConfigurationServiceClientCredentialFactory(config), timeout)
        super().__init__(config, credentials_factory=tokens)
        self.timeout = timeout
        urls = (
            config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        )
        # botframework keeps one metadata object per URL in this process-wide cache.
        for url in urls:
            JwtTokenExtractor.metadataCache[url] = BoundedOpenIdMetadata(url, timeout)

    def create_connector_factory(self, claims_identity: Any) -> BoundedConnectors:
        return BoundedConnectors(super().create_connector_factory(claims_identity), self.timeout)


class Authenticator:
    def __init__(self, config: BotFrameworkConfig, *, timeout: float) -> None:
        self.config = config
        self.authentication = BoundedAuthentication(config, timeout)

    def cloud_adapter(self) -> CloudAdapter:
        return CloudAdapter(self.authentication)

    async def authenticate(self, channel_id: str, service_url: str, header: str | None) -> Any:
        """An `AuthenticateRequestResult` for the activity (its turns' connector clients
        bounded), or UnauthorizedError."""
        result = await self._authenticate(channel_id, service_url, header)
        result.connector_factory = BoundedConnectors(
            result.connector_factory, self.authentication.timeout
        )
        return result

    async def _authenticate(self, channel_id: str, service_url: str, header: str | None) -> Any:
        probe = Activity(channel_id=channel_id, service_url=service_url)
        if not self.config.authenticates:
            return await self.authentication.authenticate_request(probe, None)
        if not header:
            raise UnauthorizedError("no Authorization header")
        try:
            return await asyncio.to_thread(self._check_blocking, probe, header)
        except PermissionError as exc:  # botframework's "not authorized" (an OSError too)
            log.info("rejected a Bot Framework token: %s", exc)
            raise UnauthorizedError(str(exc)) from None
        except OSError as exc:  # requests' errors: the OpenID metadata could not be fetched
            log.warning("Bot Framework token check unavailable: %s", type(exc).__name__)
            raise AuthUnavailableError(type(exc).__name__) from None
        except Exception as exc:
            log.info("rejected a Bot Framework token: %s", type(exc).__name__)
            raise UnauthorizedError(type(exc).__name__) from None

    def _check_blocking(self, probe: Activity, header: str) -> Any:
        return asyncio.run(self.authentication.authenticate_request(probe, header))


def claimed_service_url(header: str | None) -> str:
    """The service URL a bearer token names, read without checking the token: the one to
    check it against when the body, which should name it, cannot be read. Checking the
    token then verifies its signature, issuer, audience and lifetime as always."""
    _, _, token = (header or "").partition(" ")
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    value = claims.get("serviceurl")
    return value if isinstance(value, str) else ""
