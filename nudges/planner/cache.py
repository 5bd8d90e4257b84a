"""One recommender snapshot per workspace, shared by planning passes and `suggest`.

Reading a large workspace's rollups and preparing the recommender's model takes long
(about 35 s of CPU at 100k people x 5k communities), so both are done together, off the
event loop, and serve for `TTL`; what changed since — dismissals, new memberships,
recent suggestions — is excluded live by `load_context`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from bot.services import Services
from bot.storage.database import Database
from nudges.recommend import Snapshot
from nudges.recommend.rank import model_for
from nudges.recommend.snapshot_db import read_snapshot

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
                snapshot = await services.database.read(
                    lambda session: read_snapshot(session, workspace_id, now).snapshot
                )
                await asyncio.to_thread(model_for, snapshot, snapshot.as_of)
                self._entries[workspace_id] = snapshot
            return snapshot


def snapshot_cache(services: Services) -> SnapshotCache:
    """The cache of this database's snapshots (one per process and database)."""
    cache = _caches.get(services.database)
    if cache is None:
        cache = _caches[services.database] = SnapshotCache()
    return cache
