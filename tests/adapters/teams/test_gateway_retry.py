"""Which connector failures are retried, for how long, and what the worker is told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.teams.gateway import ConnectorError, Failure, RetryPolicy, retry_after_seconds
from bot.delivery import PermanentFailure, RetryAfter, TransientFailure


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 3, 27, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Fri, 27 Mar 2026 09:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504, None])
def test_these_are_retried(status: int | None) -> None:
    assert Failure(status).retryable


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_these_are_not(status: int) -> None:
    assert not Failure(status).retryable


async def failing(*failures: Failure) -> tuple[object, list[float], int]:
    slept: list[float] = []
    calls = 0

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def send() -> str:
        nonlocal calls
        calls += 1
        if calls <= len(failures):
            raise ConnectorError(failures[calls - 1])
        return "sent"

    value, result, _ = await RetryPolicy(sleep=sleep, jitter=lambda: 1.0).run(send)
    return value if value is not None else result, slept, calls


async def test_retry_after_is_honoured_with_at_most_ten_percent_jitter() -> None:
    outcome, slept, calls = await failing(Failure(429, "TooManyRequests", 2.0))
    assert (outcome, slept, calls) == ("sent", [2.2], 2)


async def test_backoff_doubles_without_retry_after() -> None:
    outcome, slept, _ = await failing(Failure(502), Failure(504), Failure(412))
    assert (outcome, slept) == ("sent", [0.5, 1.0, 2.0])


async def test_forbidden_is_permanent_at_once() -> None:
    outcome, slept, calls = await failing(Failure(403, "MessageWritesBlocked"))
    assert (outcome, slept, calls) == (PermanentFailure("teams:403:MessageWritesBlocked"), [], 1)


async def test_giving_up_reports_transient_or_retry_after() -> None:
    outcome, _, calls = await failing(*[Failure(None, "ClientRequestError")] * 4)
    assert (outcome, calls) == (TransientFailure("teams:network:ClientRequestError"), 4)
    outcome, _, _ = await failing(Failure(429, "", 600.0))
    assert outcome == RetryAfter(660.0, "teams:429")


async def test_a_bug_is_not_mistaken_for_a_connector_failure() -> None:
    async def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await RetryPolicy().run(broken)
