"""The engagement tracker every adapter feeds: durable inbox, folding, retention."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from itertools import islice

from sqlalchemy import delete
from sqlmodel import Session

from bot.clock import utcnow
from bot.events import Event
from bot.storage.database import Database
from bot.tracker.directory import Directory
from bot.tracker.fold import BATCH, INBOX, fold_batch
from bot.tracker.inbox import Inbox, RecordSummary, insert_rows, split_future

BULK_CHUNK = 5000


class Tracker:
    def __init__(self, database: Database, *, raw_retention_days: int = 30) -> None:
        self.database = database
        self.raw_retention = timedelta(days=raw_retention_days)
        self._inbox = Inbox(database)

    async def record(self, events: Iterable[Event]) -> int:
        """Commit events durably (duplicates ignored) before returning how many were new."""
        return await self._inbox.record(events)

    async def record_bulk(self, events: Iterable[Event]) -> RecordSummary:
        """The import path: large batches, each in its own transaction."""
        summary = RecordSummary()
        iterator = iter(events)
        while chunk := list(islice(iterator, BULK_CHUNK)):
            summary.add(await self.database.write(partial(record_chunk, events=chunk)))
        return summary

    async def fold(self, limit: int = BATCH) -> int:
        """Fold every pending event into rollups; return how many were folded."""
        directory = Directory()
        total = 0
        while True:
            folded = await self.database.write(lambda s: fold_batch(s, directory, limit))
            total += folded
            if folded < limit:
                return total

    async def apply_retention(self) -> int:
        """Delete folded inbox rows received longer ago than the raw retention period."""
        horizon = utcnow() - self.raw_retention

        def purge(session: Session) -> int:
            result = session.connection().execute(
                delete(INBOX).where(INBOX.c.processed.is_(True), INBOX.c.received_at < horizon)
            )
            return max(result.rowcount, 0)

        return await self.database.write(purge)


def record_chunk(session: Session, events: Iterable[Event]) -> RecordSummary:
    """Insert one chunk in the caller's transaction (imports use it to commit a file at once)."""
    rows, future = split_future(events)
    new = insert_rows(session, rows)
    return RecordSummary(new=new, duplicates=len(rows) - new, future=future)


__all__ = ["RecordSummary", "Tracker", "record_chunk"]
