"""Per-conversation send limits: 7 per second, 60 per 30 seconds, 1,800 per hour."""

from __future__ import annotations

from adapters.teams.gateway import SendLimiter
from tests.support.clock import FakeMonotonic


def test_the_eighth_send_in_a_second_waits_for_the_first_to_age_out() -> None:
    clock = FakeMonotonic(0.0)
    limiter = SendLimiter(clock=clock)
    waits = [limiter.reserve("a:1") for _ in range(8)]
    assert waits == [0.0] * 7 + [1.0]
    assert limiter.reserve("a:2") == 0.0


def test_sixty_sends_in_thirty_seconds_then_a_wait() -> None:
    clock = FakeMonotonic(0.0)
    limiter = SendLimiter(clock=clock)
    for second in range(60):
        clock.now = second * 0.5
        assert limiter.reserve("a:1") == 0.0
    clock.now = 30.0
    assert limiter.reserve("a:1") == 0.0
    assert limiter.reserve("a:1") == 0.5


def test_a_slot_too_far_away_is_not_booked() -> None:
    clock = FakeMonotonic(0.0)
    limiter = SendLimiter(windows=((3600.0, 2),), clock=clock)
    limiter.reserve("a:1")
    limiter.reserve("a:1")
    assert limiter.reserve("a:1", within=30.0) == 3600.0
    clock.now = 3600.0
    assert limiter.reserve("a:1", within=30.0) == 0.0
