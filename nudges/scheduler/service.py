"""The scheduler of one `engage serve` process: standby or leader, started and stopped
with the server. Every process delivers; only the leader plans, digests, folds and
applies retention (see `nudges.scheduler` for the election).

Which job runs when (`timetable`): fixed ids, explicit misfire grace and coalescing, UTC
throughout. `deliver` runs in every process (claims never overlap, so delivery spreads
across processes); the others only in the elected leader. A job that could not start on
time (event loop busy, process paused) still runs within its grace period, and several
missed runs coalesce into one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Literal

from apscheduler.job import Job as ScheduledJob
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.cli.jobs import Job
from bot.events import utcnow
from bot.services import Services
from bot.settings import Settings
from nudges.jobs import all_jobs
from nudges.scheduler import resign, try_lead

log = logging.getLogger("engage.scheduler")
Role = Literal["stopped", "standby", "leader"]
QUIET_JOBS = frozenset({"deliver", "fold"})
STOP_GRACE_SECONDS = 10.0


class SchedulerService:
    def __init__(
        self,
        services: Services,
        jobs: Mapping[str, Job] | None = None,
        holder: str = "",
        *,
        alone: bool = False,
    ) -> None:
        """`alone`: no other process can use the database (see `try_lead`)."""
        self.services = services
        self.alone = alone
        self.jobs = dict(all_jobs() if jobs is None else jobs)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.ttl = timedelta(seconds=services.settings.leader_lease_seconds)
        self.role: Role = "stopped"
        self._leading_until = datetime.min.replace(tzinfo=UTC)
        self._specs = timetable(services.settings)
        self._scheduler: AsyncIOScheduler | None = None
        self._election: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        """Start as standby, hold the first election at once, then keep re-checking."""
        self._scheduler = build_scheduler()
        self._scheduler.start()
        self.role = "standby"
        for spec in self._specs:
            if not spec.leader_only:
                self._add(spec)
        if await self.check_leadership() == "standby":
            log.info("scheduler: standby (%s)", self.holder)
        self._election = asyncio.create_task(self._elect_forever(), name="engage-election")

    async def check_leadership(self) -> Role:
        """Renew or take the lease, and add or remove the leader's jobs to match."""
        now = self.services.clock()
        try:
            leading = await self.services.database.write(
                partial(try_lead, holder=self.holder, now=now, ttl=self.ttl, alone=self.alone)
            )
        except Exception:
            log.exception("scheduler: cannot reach the lease; not leading")
            leading = False
        if leading:
            self._leading_until = now + self.ttl
        if leading and self.role == "standby":
            self.role = "leader"
            for spec in self._specs:
                if spec.leader_only:
                    self._add(spec)
            log.info("scheduler: leader (%s)", self.holder)
        elif not leading and self.role == "leader":
            self.role = "standby"
            for spec in self._specs:
                if spec.leader_only and self._scheduler and self._scheduler.get_job(spec.name):
                    self._scheduler.remove_job(spec.name)
            log.warning("scheduler: standby (%s lost the lease)", self.holder)
        return self.role

    async def stop(self) -> None:
        """Finish running jobs (briefly), stop scheduling and hand the lease over."""
        if self._election is not None:
            self._election.cancel()
            await asyncio.gather(self._election, return_exceptions=True)
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.pause()
            if self._running:
                await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
            self._scheduler.shutdown(wait=False)
        if self.role == "leader":
            now = self.services.clock()
            await self.services.database.write(partial(resign, holder=self.holder, now=now))
            log.info("scheduler: resigned (%s)", self.holder)
        self.role = "stopped"

    def role_now(self) -> Role:
        """The role as others may rely on it: a leader whose lease has run out (its process
        froze past a renewal) is a standby until it renews, whoever holds the lease now."""
        if self.role == "leader" and self.services.clock() >= self._leading_until:
            return "standby"
        return self.role

    def scheduled(self) -> list[ScheduledJob]:
        """The jobs this process has scheduled now (all of them when leading)."""
        return self._scheduler.get_jobs() if self._scheduler is not None else []

    async def _elect_forever(self) -> None:
        interval = self.ttl.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            await self.check_leadership()

    def _add(self, spec: JobSpec) -> None:
        if spec.name not in self.jobs:
            log.info("scheduler: no %r job installed; skipping it", spec.name)
            return
        assert self._scheduler is not None
        extra = {"next_run_time": utcnow()} if spec.run_at_start else {}
        self._scheduler.add_job(
            self._run,
            spec.trigger,
            args=[spec.name],
            id=spec.name,
            name=spec.name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
            **extra,
        )

    async def _run(self, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            summary = await self.jobs[name](self.services)
        except Exception:
            log.exception("job %s failed; it runs again at its next time", name)
            return
        finally:
            if task is not None:
                self._running.discard(task)
        log.log(logging.DEBUG if name in QUIET_JOBS else logging.INFO, "job %s: %s", name, summary)


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    misfire_grace_seconds: int
    leader_only: bool = True
    run_at_start: bool = False


def timetable(settings: Settings) -> tuple[JobSpec, ...]:
    return (
        JobSpec(
            "deliver",
            IntervalTrigger(seconds=settings.deliver_interval_seconds, timezone=UTC),
            misfire_grace_seconds=60,
            leader_only=False,
            run_at_start=True,
        ),
        JobSpec(
            "fold",
            IntervalTrigger(seconds=settings.fold_interval_seconds, timezone=UTC),
            misfire_grace_seconds=60,
            run_at_start=True,
        ),
        JobSpec(
            "plan",
            IntervalTrigger(minutes=15, timezone=UTC),
            misfire_grace_seconds=10 * 60,
            run_at_start=True,
        ),
        JobSpec("digest", CronTrigger(minute=5, timezone=UTC), misfire_grace_seconds=45 * 60),
        JobSpec(
            "retention",
            CronTrigger(hour=3, minute=30, timezone=UTC),
            misfire_grace_seconds=6 * 3600,
        ),
        JobSpec(
            "roster",
            IntervalTrigger(hours=settings.roster_sync_hours, timezone=UTC),
            misfire_grace_seconds=6 * 3600,
        ),
    )


def build_scheduler() -> AsyncIOScheduler:
    """An in-memory scheduler: our state lives in our tables, never in a job store."""
    return AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
