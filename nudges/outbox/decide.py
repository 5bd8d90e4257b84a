"""What a delivery result means for the outbox row: a pure decision, easy to reason about."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import (
    Delivered,
    DeliveryResult,
    RetryAfter,
    TransientFailure,
)

BACKOFF_CAP = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Transient failures retry after `base * 2^(n-1)` (capped), drawn with equal jitter:
    half the delay is fixed, the other half random, so retries spread out."""

    max_attempts: int = 6
    base_seconds: float = 30.0
    cap: timedelta = BACKOFF_CAP

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        ceiling = min(self.cap.total_seconds(), self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass(frozen=True, slots=True)
class Refusal:
    """A send check's "no", with the reason recorded on the cancelled row."""

    reason: str

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class Decision:
    state: str
    last_error: str | None = None
    not_before: datetime | None = None
    attempts: int | None = None
    delivered: Delivered | None = None
    pause_workspace_until: datetime | None = None


def decide(
    result: DeliveryResult, attempts: int, now: datetime, policy: RetryPolicy, rng: random.Random
) -> Decision:
    """`attempts` counts this one. A rate limit gives the attempt back and pauses the
    person's whole workspace until the platform's delay has passed."""
    if isinstance(result, Delivered):
        return Decision("sent", delivered=result)
    if isinstance(result, RetryAfter):
        until = now + timedelta(seconds=max(result.seconds, 0.0))
        return Decision(
            "pending",
            last_error=f"rate limited ({result.reason}): retry after {result.seconds:g} s",
            not_before=until,
            attempts=attempts - 1,
            pause_workspace_until=until,
        )
    if isinstance(result, TransientFailure):
        if attempts >= policy.max_attempts:
            return Decision(
                "dead", last_error=f"gave up after {attempts} attempts: {result.reason}"
            )
        return Decision(
            "pending", last_error=result.reason, not_before=now + policy.delay(attempts, rng)
        )
    return Decision("dead", last_error=f"permanent: {result.reason}")
