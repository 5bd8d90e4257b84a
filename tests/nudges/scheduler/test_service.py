"""Schedulers of two processes on one database: one leader runs the leader's jobs."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli.jobs import Job
from bot.services import Services
from bot.settings import Settings
from nudges.scheduler.service import SchedulerService
from tests.support.clock import FakeClock

ALL = {"deliver", "fold", "plan", "digest", "retention", "roster"}
T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.ran: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def jobs(self) -> dict[str, Job]:
        return {name: self._job(name) for name in ALL}

    def _job(self, name: str) -> Job:
        async def job(_services: Services) -> str:
            self.ran[name].set()
            return f"{name}: done"

        return job


@pytest.fixture
async def two(settings: Settings) -> AsyncIterator[tuple[SchedulerService, SchedulerService]]:
    recorder = Recorder()
    first, second = Services.build(settings), Services.build(settings)
    pair = (
        SchedulerService(first, recorder.jobs(), holder="host-a:101"),
        SchedulerService(second, recorder.jobs(), holder="host-b:202"),
    )
    yield pair
    for scheduler in pair:
        await scheduler.stop()
        await scheduler.services.stop()


def ids(scheduler: SchedulerService) -> set[str]:
    return {job.id for job in scheduler.scheduled()}


async def test_one_leader_and_a_standby_that_takes_over_when_it_stops(
    two: tuple[SchedulerService, SchedulerService],
) -> None:
    a, b = two
    await a.start()
    await b.start()
    assert (a.role, b.role) == ("leader", "standby")
    assert (ids(a), ids(b)) == (ALL, {"deliver"})
    for job in a.scheduled():
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.misfire_grace_time > 0
    await a.stop()
    assert a.role == "stopped"
    assert await b.check_leadership() == "leader"
    assert ids(b) == ALL


async def test_the_leader_runs_plan_and_fold_at_once(settings: Settings) -> None:
    recorder = Recorder()
    services = Services.build(settings)
    scheduler = SchedulerService(services, recorder.jobs(), holder="host-a:101")
    await scheduler.start()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(recorder.ran[name].wait() for name in ("plan", "fold", "deliver"))),
            10,
        )
        assert not recorder.ran["digest"].is_set()
    finally:
        await scheduler.stop()
        await services.stop()


async def test_a_leader_whose_lease_was_taken_steps_down(
    two: tuple[SchedulerService, SchedulerService],
) -> None:
    a, b = two
    a.services.clock = FakeClock(T0)
    b.services.clock = FakeClock(T0 + a.ttl + timedelta(seconds=1))
    await a.start()
    await b.start()
    assert (a.role, b.role) == ("leader", "leader")  # b saw a's lease expired
    assert await a.check_leadership() == "standby"
    assert (ids(a), ids(b)) == ({"deliver"}, ALL)


async def test_a_leader_past_its_lease_reports_standby_before_it_checks_again(
    two: tuple[SchedulerService, SchedulerService],
) -> None:
    a, b = two
    clock = FakeClock(T0)
    a.services.clock = b.services.clock = clock
    await a.start()
    await b.start()
    assert (a.role_now(), b.role_now()) == ("leader", "standby")
    clock.advance(seconds=a.ttl.total_seconds() + 1)  # a froze past its renewal
    assert await b.check_leadership() == "leader"
    assert a.role == "leader"  # it has not noticed yet, so it still runs the leader's jobs
    assert (a.role_now(), b.role_now()) == ("standby", "leader")
    assert await a.check_leadership() == "standby"
