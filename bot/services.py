"""The composition root of the core: everything built from one Settings object."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.clock import utcnow
from bot.delivery import Gateway
from bot.settings import Settings
from bot.storage.database import Database
from bot.tracker import Tracker

log = logging.getLogger("engage.services")


@dataclass
class Services:
    settings: Settings
    database: Database
    tracker: Tracker
    clock: Callable[[], datetime] = utcnow
    gateways: dict[str, Gateway] = field(default_factory=dict)
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        database = Database(settings.database_url)
        tracker = Tracker(database, raw_retention_days=settings.raw_retention_days)
        return cls(settings=settings, database=database, tracker=tracker)

    def today(self) -> date:
        return self.clock().date()

    async def start(self) -> None:
        """Start background work once the server is up: folding new events continuously."""
        self._background.append(asyncio.create_task(self._fold_forever(), name="engage-fold"))

    async def stop(self) -> None:
        """Stop background work and release connections; safe to call twice."""
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._background.clear()
        self.database.close()

    async def _fold_forever(self) -> None:
        while True:
            try:
                await self.tracker.fold()
            except Exception:
                log.exception("folding failed; retrying at the next interval")
            await asyncio.sleep(self.settings.fold_interval_seconds)
