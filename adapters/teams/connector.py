"""Bot Connector clients as Engage uses them: one attempt per call (retries are ours)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, TurnContext


def single_attempt(client: Any) -> Any:
    """Turn off msrest's own retries so `retry.RetryPolicy` alone decides, with Retry-After."""
    policy = client.config.retry_policy
    policy.retries = 0
    policy.policy.status_forcelist = []
    return client


def turn_client(turn_context: TurnContext) -> Any:
    """The connector client botbuilder built for this turn, set to a single attempt."""
    return single_attempt(turn_context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY])
