"""The composition root of the core: everything built from one Settings object."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from bot.delivery import Gateway
from bot.events import utcnow
from bot.metrics.trend import PastMonths
from bot.roster import RosterReport, RosterSource
from bot.settings import Settings
from bot.storage.database import Database
from bot.tracker import Tracker

T = TypeVar("T")


class Caches:
    """The caches of the layers above the core (the planner's snapshots, …), one object
    per type, made on first use and owned by these Services: a test or a second app in the
    same process never shares them."""

    def __init__(self) -> None:
        self._objects: dict[type[Any], Any] = {}

    def get(self, kind: type[T]) -> T:
        found = self._objects.get(kind)
        if found is None:
            found = self._objects[kind] = kind()
        return cast(T, found)


@dataclass
class Services:
    settings: Settings
    database: Database
    tracker: Tracker
    clock: Callable[[], datetime] = utcnow
    gateways: dict[str, Gateway] = field(default_factory=dict)
    deliveries: Counter[str] = field(default_factory=Counter)
    """Outbox outcomes this process recorded since it started (sent, dead, cancelled, …)."""

    roster_sources: list[RosterSource] = field(default_factory=list)
    roster_tasks: dict[tuple[str, str], asyncio.Task[RosterReport]] = field(default_factory=dict)
    past_months: PastMonths = field(default_factory=PastMonths)
    """The ladder's past months, for the trend `stats org` shows."""
    caches: Caches = field(default_factory=Caches)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        database = Database(settings.database_url)
        tracker = Tracker(database, raw_retention_days=settings.raw_retention_days)
        return cls(settings=settings, database=database, tracker=tracker)

    def today(self) -> date:
        return self.clock().date()

    async def start(self) -> None:
        """Called once the server is up. Background work (folding, planning, delivery) is
        not here: `nudges.scheduler` runs it as jobs, in the elected leader."""

    async def stop(self) -> None:
        """Release connections; safe to call twice."""
        running = [task for task in self.roster_tasks.values() if not task.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self.database.close()
