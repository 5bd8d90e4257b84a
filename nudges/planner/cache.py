"""One recommender snapshot per workspace, shared by planning passes and `suggest`.

Reading a large workspace's rollups and preparing the recommender's model takes long
(about 20 s of CPU at 100k people x 5k communities), so both are done together, off the
event loop, and serve for `TTL`; what changed since — dismissals, new memberships,
recent suggestions — is excluded live by `load_context`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from weakref import WeakKeyDictionary

from sqlmodel import Session

from bot.services import Services
from bot.storage.database import Database
from nudges.planner.gc_pause import gc_paused
from nudges.recommend import Snapshot
from nudges.recommend.rank import model_for
from nudges.recommend.snapshot import read_snapshot

TTL = timedelta(hours=1)
_caches: WeakKeyDictionary[Database, SnapshotCache] = WeakKeyDictionary()


@dataclass
class SnapshotCache:
    ttl: timedelta = TTL
    _entries: dict[int, Snapshot] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, services: Services, workspace_id: int, now: datetime) -> Snapshot:
        async with self._lock:
            snapshot = self._entries.get(workspace_id)
            if snapshot is None or not now - self.ttl <= snapshot.as_of <= now:
                snapshot = await services.database.read(partial(_read, workspace_id, now))
                await asyncio.to_thread(model_for, snapshot, snapshot.as_of)
                self._entries[workspace_id] = snapshot
            return snapshot


def _read(workspace_id: int, now: datetime, session: Session) -> Snapshot:
    with gc_paused():
        return read_snapshot(session, workspace_id, now).snapshot


def snapshot_cache(services: Services) -> SnapshotCache:
    """The cache of this database's snapshots (one per process and database)."""
    cache = _caches.get(services.database)
    if cache is None:
        cache = _caches[services.database] = SnapshotCache()
    return cache
