"""Retrying Bot Connector calls: 429, 412 and 502–504 with backoff and jitter, Retry-After
honoured; 403 (blocked, uninstalled) never retried. Waits too long to sleep through are
handed back to the delivery worker as `RetryAfter`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.delivery import DeliveryResult, PermanentFailure, RetryAfter, TransientFailure
from bot.events import utcnow

T = TypeVar("T")
RETRYABLE = frozenset({412, 429, 502, 503, 504})
BLOCKED = 403


@dataclass(frozen=True)
class Failure:
    """A connector call that failed: HTTP status (None for network errors) and error code."""

    status: int | None
    code: str = ""
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE

    def describe(self) -> str:
        status = "network" if self.status is None else str(self.status)
        return f"teams:{status}:{self.code}" if self.code else f"teams:{status}"


class ConnectorError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


def classify(exc: BaseException) -> Failure | None:
    """The failure behind a connector exception; None for anything else (a bug: re-raise)."""
    if isinstance(exc, ConnectorError):
        return exc.failure
    if isinstance(exc, ClientRequestError):
        return Failure(None, type(exc).__name__)
    if not isinstance(exc, HttpOperationError):
        return None
    response: Any = exc.response
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    code = getattr(getattr(exc.error, "error", None), "code", None) or ""
    return Failure(status, str(code), retry_after_seconds(headers.get("Retry-After")))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds, whether given as a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - (now or utcnow())).total_seconds(), 0.0)


@dataclass
class RetryPolicy:
    attempts: int = 4
    base_seconds: float = 0.5
    max_inline_seconds: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = field(default=random.random)

    def wait(self, attempt: int, failure: Failure) -> float:
        """Retry-After when given (plus up to 10% jitter), else exponential backoff with jitter."""
        if failure.retry_after is not None:
            return float(failure.retry_after * (1 + 0.1 * self.jitter()))
        return self.base_seconds * float(2**attempt) * (0.5 + self.jitter() / 2)

    async def run(
        self, send: Callable[[], Awaitable[T]]
    ) -> tuple[T | None, DeliveryResult | None, Failure | None]:
        """(value, None, None) on success; otherwise (None, result to report, last failure)."""
        failure = Failure(None)
        wait = 0.0
        for attempt in range(self.attempts):
            try:
                return await send(), None, None
            except Exception as exc:
                found = classify(exc)
                if found is None:
                    raise
                failure = found
            if not failure.retryable:
                return None, PermanentFailure(failure.describe()), failure
            wait = self.wait(attempt, failure)
            if wait > self.max_inline_seconds or attempt == self.attempts - 1:
                break
            await self.sleep(wait)
        if failure.status == 429 or failure.retry_after is not None:
            return None, RetryAfter(wait, failure.describe()), failure
        return None, TransientFailure(failure.describe()), failure
