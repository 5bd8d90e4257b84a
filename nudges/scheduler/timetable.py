"""Which job runs when: fixed ids, explicit misfire grace and coalescing, UTC throughout.

`deliver` runs in every process (claims never overlap, so delivery spreads across
processes); the others only in the elected leader. A job that could not start on time
(event loop busy, process paused) still runs within its grace period, and several missed
runs coalesce into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.settings import Settings


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
