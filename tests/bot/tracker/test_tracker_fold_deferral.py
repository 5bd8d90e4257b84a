"""The scheduler's fold steps aside during a burst of events, never for too long."""

from __future__ import annotations

from dataclasses import replace

from bot.cli.jobs import core_jobs
from bot.services import Services
from bot.tracker import Tracker
from bot.tracker.inbox import BURST_EVENTS_PER_SECOND
from tests.support.clock import FakeMonotonic
from tests.support.events import post

BURST = [post(f"U{i % 9}", "C1", "2026-03-03") for i in range(BURST_EVENTS_PER_SECOND + 20)]


async def test_a_burst_defers_folding_until_it_ends(services: Services) -> None:
    clock = FakeMonotonic()
    tracker = Tracker(services.database, clock=clock)
    assert await tracker.record(BURST[:10]) == 10
    assert not tracker.fold_deferred(max_delay=30)
    assert await tracker.record(BURST) == len(BURST) - 10
    assert tracker.fold_deferred(max_delay=30)
    assert await tracker.record(BURST) == 0  # retries of stored events are no burst
    clock.now += 2.5
    assert not tracker.fold_deferred(max_delay=30)
    assert await tracker.fold() == len(BURST)


async def test_a_long_burst_still_folds_after_the_maximum_delay(services: Services) -> None:
    clock = FakeMonotonic()
    tracker = Tracker(services.database, clock=clock)
    await tracker.record(BURST)
    clock.now += 29.5
    await tracker.record([post(f"U{i}", "C2", "2026-03-04") for i in range(150)])
    assert tracker.fold_deferred(max_delay=30)
    clock.now += 0.5
    assert not tracker.fold_deferred(max_delay=30)
    assert await tracker.fold() == len(BURST) + 150
    await tracker.record([post(f"U{i}", "C3", "2026-03-05") for i in range(150)])
    assert tracker.fold_deferred(max_delay=30)  # the delay counts from the last fold


async def test_the_fold_job_says_when_it_deferred(services: Services) -> None:
    clock = FakeMonotonic()
    services = replace(services, tracker=Tracker(services.database, clock=clock))
    await services.tracker.record(BURST)
    assert await core_jobs()["fold"](services) == f"deferred: {len(BURST)} events/s arriving"
    clock.now += services.settings.fold_max_delay_seconds
    assert await core_jobs()["fold"](services) == f"folded {len(BURST)} event(s)"
