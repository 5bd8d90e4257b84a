"""Slack's Web API clients as Engage makes them: our base URL (`SLACK_API_URL`, a local
fake in tests), `ENGAGE_API_TIMEOUT_SECONDS`, and short rate-limit waits. A 429 whose
Retry-After is short is retried in place once; a longer one is left to the caller, who
gets a `RetryAfter` result and schedules the retry without blocking anyone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession, ClientTimeout
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

SHORT_WAIT_SECONDS = 2


def retry_after(headers: Mapping[str, Any]) -> float | None:
    """The Retry-After header in seconds, whatever the header's case."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) else value
            try:
                return max(float(first), 0.0)
            except ValueError:
                return None
    return None


class ShortRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 once, and only when Slack asks to wait at most `max_wait` seconds."""

    def __init__(self, max_wait: float = SHORT_WAIT_SECONDS) -> None:
        super().__init__(max_retry_count=1)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after(response.headers)
        return wait is not None and wait <= self.max_wait


def retry_handlers() -> list[AsyncRetryHandler]:
    return [ShortRateLimitRetryHandler()]


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A client for `settings.slack_api_url`; builds no connection until the first call."""
    return configure(AsyncWebClient(token=token or None), settings)


def configure(client: AsyncWebClient, settings: Settings) -> AsyncWebClient:
    """Point a client (ours, or the one Bolt built) at our base URL, timeout and retries."""
    client.base_url = settings.slack_api_url
    client.timeout = math.ceil(settings.api_timeout_seconds)
    client.retry_handlers = retry_handlers()
    return client


def shared_session(settings: Settings) -> ClientSession:
    """One connection pool for many clients, bounded: slack_sdk ignores `client.timeout` then."""
    return ClientSession(timeout=ClientTimeout(total=settings.api_timeout_seconds))
