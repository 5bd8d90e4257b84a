"""The engagement tracker every adapter feeds: durable inbox, folding, retention."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from itertools import islice

from sqlalchemy import delete
from sqlmodel import Session

from bot.events import Event, utcnow
from bot.privacy.objection import ObjectionFilter
from bot.storage.database import Database
from bot.storage.tables import INBOX_EVENT
from bot.tracker.directory import Directory
from bot.tracker.fold import BATCH, fold_batch, pending_ids
from bot.tracker.inbox import (
    BurstMeter,
    Inbox,
    RecordSummary,
    insert_rows,
    quarantine,
    reason,
    split_future,
    unfoldable,
)

BULK_CHUNK = 5000
log = logging.getLogger("engage.tracker")
STATISTICS_AFTER_EVENTS = 50_000
"""Events folded between two refreshes of the query planner's statistics."""


class Tracker:
    def __init__(
        self,
        database: Database,
        *,
        raw_retention_days: int = 30,
        clock: Callable[[], float] = time.monotonic,
        statistics_after_events: int = STATISTICS_AFTER_EVENTS,
    ) -> None:
        self.database = database
        self.statistics_after_events = statistics_after_events
        self._folded_since_statistics = 0
        self.raw_retention = timedelta(days=raw_retention_days)
        self.arrivals = BurstMeter(clock)
        self._inbox = Inbox(database, self.arrivals)
        self._objections: ObjectionFilter | None = None
        self._clock = clock
        self._caught_up = clock()
        self.quarantined = 0
        """Events the last `fold` quarantined."""

    async def record(self, events: Iterable[Event]) -> int:
        """Commit events durably (duplicates ignored) before returning how many were new.
        Events by people who objected to tracking are dropped here, before any storage."""
        if self._objections is None:
            await self.refresh_objections()
        assert self._objections is not None
        return await self._inbox.record(self._objections.apply(events))

    async def refresh_objections(self) -> None:
        """Re-read objections (after an erasure, and periodically for other processes)."""
        self._objections = await self.database.write(ObjectionFilter.load)

    async def record_bulk(
        self, events: Iterable[Event], on_chunk: Callable[[RecordSummary], None] | None = None
    ) -> RecordSummary:
        """The import path: large batches, each in its own transaction.

        The next batch is drawn from `events` while the previous one is being written, so
        a generator and the database work at the same time. `on_chunk` hears of each
        committed batch.
        """
        summary = RecordSummary()
        iterator = iter(events)
        writing: asyncio.Task[RecordSummary] | None = None
        try:
            while chunk := list(islice(iterator, BULK_CHUNK)):
                if writing is not None:
                    _committed(summary, await writing, on_chunk)
                writing = asyncio.create_task(
                    self.database.write(partial(record_chunk, events=chunk))
                )
            if writing is not None:
                _committed(summary, await writing, on_chunk)
        finally:
            if writing is not None and not writing.done():
                await asyncio.wait([writing])
        return summary

    async def fold(self, limit: int = BATCH, on_batch: Callable[[int], None] | None = None) -> int:
        """Fold every pending event into rollups; return how many were folded. Events that
        cannot be folded are quarantined (`quarantined` counts them) and the rest folded.
        Once enough events were folded, the planner's statistics are refreshed to match."""
        self.quarantined = 0
        directory = Directory()
        total = 0
        while True:
            try:
                folded = taken = await self.database.write(
                    partial(fold_batch, directory=directory, limit=limit)
                )
            except Exception as exc:
                if not unfoldable(exc):
                    raise
                directory = Directory()  # it may hold ids of rows that were rolled back
                ids = await self.database.write(lambda s: pending_ids(s, limit))
                folded = await self._fold_apart(ids)
                taken = len(ids)
            total += folded
            if on_batch is not None and folded:
                on_batch(folded)
            if taken < limit:
                self._caught_up = self._clock()
                await self._count_for_statistics(total)
                return total

    async def _fold_apart(self, ids: list[int]) -> int:
        """Fold `ids` in halves, in order, until each failing event stands alone; quarantine
        those. Return how many were folded."""
        folded = 0
        directory = Directory()
        parts = [ids]
        while parts:
            part = parts.pop()
            try:
                folded += await self.database.write(
                    partial(fold_batch, directory=directory, limit=len(part), ids=part)
                )
            except Exception as exc:
                if not unfoldable(exc):
                    raise
                directory = Directory()
                if len(part) > 1:
                    middle = len(part) // 2
                    parts += [part[middle:], part[:middle]]
                    continue
                await self.database.write(partial(quarantine, ids=part, why=reason(exc)))
                self.quarantined += 1
                log.warning("fold: inbox event %d quarantined (%s)", part[0], reason(exc))
        return folded

    async def _count_for_statistics(self, folded: int) -> None:
        self._folded_since_statistics += folded
        if self._folded_since_statistics >= self.statistics_after_events:
            await self.database.refresh_statistics()
            self._folded_since_statistics = 0

    def fold_deferred(self, max_delay: float) -> bool:
        """True while events arrive in a burst, so that the scheduler's fold leaves the CPU
        (and SQLite's one write lock) to acknowledging them; never for more than
        `max_delay` seconds after the last complete fold."""
        return self.arrivals.busy() and self._clock() - self._caught_up < max_delay

    def since_caught_up(self) -> float:
        """Seconds since this process's fold last left no event pending."""
        return self._clock() - self._caught_up

    async def apply_retention(self) -> int:
        """Delete folded inbox rows received longer ago than the raw retention period, and
        quarantined ones quarantined longer ago than that."""
        horizon = utcnow() - self.raw_retention

        def purge(session: Session) -> int:
            folded = INBOX_EVENT.c.processed.is_(True) & (INBOX_EVENT.c.received_at < horizon)
            result = session.connection().execute(
                delete(INBOX_EVENT).where(folded | (INBOX_EVENT.c.quarantined_at < horizon))
            )
            return max(result.rowcount, 0)

        return await self.database.write(purge)


def _committed(
    summary: RecordSummary, chunk: RecordSummary, on_chunk: Callable[[RecordSummary], None] | None
) -> None:
    summary.add(chunk)
    if on_chunk is not None:
        on_chunk(chunk)


def record_chunk(
    session: Session, events: Iterable[Event], now: datetime | None = None
) -> RecordSummary:
    """Insert one chunk in the caller's transaction (imports use it to commit a file at once).
    `now` (default: the real clock) decides which events are dated in the future."""
    rows, future = split_future(ObjectionFilter.load(session).apply(events), now)
    new = insert_rows(session, rows)
    return RecordSummary(new=new, duplicates=len(rows) - new, future=future)


__all__ = ["RecordSummary", "Tracker", "record_chunk"]
