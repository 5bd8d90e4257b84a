"""Bot Connector clients as Engage uses them: one attempt per call (retries are ours), and
no call waits longer than `ENGAGE_API_TIMEOUT_SECONDS` (msrest's default is 100 s).

Their access tokens too: msrest asks the credentials for a token synchronously, on the
event loop, and MSAL waits for Microsoft's login service without a timeout. So a client's
token is fetched first, on a worker thread and with the timeout; msrest then finds it in
MSAL's cache, which lives as long as the credentials (kept, not rebuilt for every client).
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botframework.connector.auth import (
    ConnectorFactory,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication
from msrest.exceptions import ClientRequestError


def bounded(client: Any, timeout: float) -> Any:
    """One attempt per call, so `retry.RetryPolicy` alone decides (with Retry-After); each
    attempt gives up after `timeout` seconds without an answer."""
    policy = client.config.retry_policy
    policy.retries = 0
    policy.policy.status_forcelist = []
    client.config.connection.timeout = timeout
    return client


class BoundedConnectors(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's connector factory, whose every client is `bounded`."""

    def __init__(self, inner: ConnectorFactory, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        return bounded(await self.inner.create(service_url, audience), self.timeout)


def turn_client(turn_context: TurnContext) -> Any:
    """The connector client of this turn (made by a `BoundedConnectors`)."""
    return turn_context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]


class BoundedTokens(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """botbuilder's credentials, kept per audience, whose tokens are fetched as above."""

    def __init__(self, inner: ServiceClientCredentialsFactory, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout
        self._made: dict[tuple[str, str, str, bool], Any] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(await self.inner.is_valid_app_id(app_id))

    async def is_authentication_disabled(self) -> bool:
        return bool(await self.inner.is_authentication_disabled())

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._made.get(key)
        if credentials is None:
            credentials = await self.inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            self._made[key] = credentials
        if getattr(credentials, "microsoft_app_id", None):
            try:
                await asyncio.to_thread(self._fetch_token, credentials)
            except (OSError, ValueError) as error:  # requests' failures, MSAL's refusals
                raise ClientRequestError(
                    f"no Bot Framework token: {type(error).__name__}"
                ) from None
        return credentials

    def _fetch_token(self, credentials: Any) -> None:
        if isinstance(credentials, MicrosoftAppCredentials) and credentials.app is None:
            # What botframework builds on first use, with a timeout (MSAL's default is none).
            credentials.app = ConfidentialClientApplication(
                client_id=credentials.microsoft_app_id,
                client_credential=credentials.microsoft_app_password,
                authority=credentials.oauth_endpoint,
                timeout=self.timeout,
            )
        credentials.get_access_token()
