"""The durable inbox: every event committed once, keyed by (platform, workspace, event key).

`Inbox.record` is the HTTP path: callers await their own events' commit, and concurrent
callers share one transaction (group commit), so sixteen webhooks cost one fsync; on
PostgreSQL two such transactions may be in flight at once.
`insert_rows` is the bulk path for imports and generators.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.events import Event, utcnow
from bot.storage.database import Database
from bot.tracker.bulk import insert_new_rows
from bot.tracker.burst import BurstMeter
from bot.tracker.inbox_insert import Key, insert_statements, new_keys
from bot.tracker.rows import event_to_row

FUTURE_TOLERANCE = timedelta(minutes=5)
ATTEMPTS = 3
LOST_RACE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


@dataclass
class RecordSummary:
    new: int = 0
    duplicates: int = 0
    future: int = 0

    def add(self, other: RecordSummary) -> None:
        self.new += other.new
        self.duplicates += other.duplicates
        self.future += other.future


@dataclass
class _Waiting:
    rows: list[dict[str, Any]]
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def split_future(
    events: Iterable[Event], now: datetime | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Rows for events not dated in the future, and how many were dated in the future."""
    horizon = (now or utcnow()) + FUTURE_TOLERANCE
    rows, future = [], 0
    for event in events:
        row = event_to_row(event)
        if row["occurred_at"] > horizon:
            future += 1
        else:
            rows.append(row)
    return rows, future


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, skipping keys already stored; return how many were new."""
    return insert_new_rows(session.connection(), rows)


class Inbox:
    def __init__(self, database: Database, meter: BurstMeter) -> None:
        self._database = database
        self._meter = meter
        self._waiting: list[_Waiting] = []
        self._flushers: set[asyncio.Task[None]] = set()
        self._max_flushers = database.held.in_flight

    async def record(self, events: Iterable[Event]) -> int:
        """Commit events durably before returning; return how many were new."""
        rows, _future = split_future(events)
        if not rows:
            return 0
        waiting = _Waiting(rows)
        self._waiting.append(waiting)
        if sum(not flusher.done() for flusher in self._flushers) < self._max_flushers:
            flusher = asyncio.create_task(self._flush_until_empty())
            self._flushers.add(flusher)
            flusher.add_done_callback(self._flushers.discard)
        return await waiting.done

    async def _flush_until_empty(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                stored = await self._commit([row for waiting in batch for row in waiting.rows])
            except Exception as exc:
                for waiting in batch:
                    if not waiting.done.done():
                        waiting.done.set_exception(exc)
                continue
            self._meter.add(len(stored))
            for waiting in batch:
                new = 0
                for row in waiting.rows:
                    key = (row["platform"], row["workspace"], row["event_key"])
                    if key in stored:
                        stored.discard(key)
                        new += 1
                if not waiting.done.done():
                    waiting.done.set_result(new)

    async def _commit(self, rows: list[dict[str, Any]]) -> set[Key]:
        """Two batches sharing keys in different orders can deadlock on PostgreSQL: the
        loser's INSERT was rolled back whole, so it simply runs again."""
        statements = insert_statements(self._database.engine.dialect, rows)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return new_keys(await self._database.write_statements(statements))
            except Exception as exc:
                if attempt == ATTEMPTS or getattr(exc, "sqlstate", None) not in LOST_RACE:
                    raise
        raise AssertionError("unreachable")
