"""Each delivery result's meaning for the row, and the backoff's shape."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import Delivered, PermanentFailure, RetryAfter, TransientFailure
from nudges.outbox.records import RetryPolicy, decide

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base_seconds=30.0, cap=timedelta(minutes=5))


def test_delivered_is_sent_with_its_reference() -> None:
    delivered = Delivered(conversation="D024BE91L", message="1712000000.000200")
    decision = decide(delivered, 1, NOW, POLICY, random.Random(1))
    assert (decision.state, decision.delivered) == ("sent", delivered)


def test_rate_limit_waits_the_platform_delay_and_gives_the_attempt_back() -> None:
    decision = decide(RetryAfter(30), 3, NOW, POLICY, random.Random(1))
    assert decision.state == "pending"
    assert decision.not_before == decision.pause_workspace_until == NOW + timedelta(seconds=30)
    assert decision.attempts == 2


def test_permanent_failure_is_dead_at_once() -> None:
    decision = decide(PermanentFailure("user_not_found"), 1, NOW, POLICY, random.Random(1))
    assert decision.state == "dead"
    assert decision.last_error == "permanent: user_not_found"


def test_transient_failure_retries_until_the_last_attempt() -> None:
    rng = random.Random(1)
    retries = [decide(TransientFailure("http_503"), n, NOW, POLICY, rng) for n in (1, 2, 3)]
    assert [d.state for d in retries] == ["pending"] * 3
    last = decide(TransientFailure("http_503"), 4, NOW, POLICY, rng)
    assert last.state == "dead"
    assert last.last_error == "gave up after 4 attempts: http_503"


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 30), (2, 60), (3, 120), (4, 240), (5, 300)])
def test_backoff_doubles_up_to_the_cap_with_jitter_in_its_upper_half(
    attempt: int, ceiling: int
) -> None:
    delays = {POLICY.delay(attempt, random.Random(seed)).total_seconds() for seed in range(50)}
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(delays) > 40
