"""Bot Connector clients as Engage uses them: one attempt per call (retries are ours), and
no call waits longer than `ENGAGE_API_TIMEOUT_SECONDS` (msrest's default is 100 s)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botframework.connector.auth import ConnectorFactory


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
