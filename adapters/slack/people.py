"""Each person's locale and time zone from `users.info`: cached, recorded as PersonSeen.

Lookups for people seen in events run in the background, after Slack got its answer;
a command waits for its asker's lookup (to answer in their language). `user_change`
and `team_join` refresh the cache from their payload without a call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admins import sync_admin
from adapters.slack.profiles import person_seen
from bot.clock import utcnow
from bot.tracker import Tracker

log = logging.getLogger("engage.slack.people")
Key = tuple[str, str]


@dataclass(frozen=True)
class Profile:
    locale: str | None = None
    tz: str | None = None


class People:
    def __init__(
        self,
        tracker: Tracker,
        *,
        ttl_seconds: float = 24 * 3600,
        failure_ttl_seconds: float = 600,
        max_entries: int = 100_000,
        concurrency: int = 4,
    ) -> None:
        self._tracker = tracker
        self._ttl, self._failure_ttl = ttl_seconds, failure_ttl_seconds
        self._max = max_entries
        self._cache: OrderedDict[Key, tuple[float, Profile | None]] = OrderedDict()
        self._pending: dict[Key, asyncio.Task[Profile | None]] = {}
        self._slots = asyncio.Semaphore(concurrency)

    def cached(self, workspace: str, user: str) -> Profile | None:
        entry = self._cache.get((workspace, user))
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def known(self, workspace: str, user: str) -> bool:
        """Cached and fresh, or being looked up: nothing to start for this person."""
        return self._known((workspace, user))

    def _known(self, key: Key) -> bool:
        entry = self._cache.get(key)
        return (entry is not None and entry[0] > time.monotonic()) or key in self._pending

    def remember(self, workspace: str, user: Mapping[str, Any]) -> None:
        """Refresh from a profile Slack sent us (`user_change`, `team_join`)."""
        if user.get("id"):
            profile = Profile(user.get("locale") or None, user.get("tz") or None)
            self._store((workspace, user["id"]), profile, self._ttl)

    def look_up_later(self, client: AsyncWebClient, workspace: str, users: Iterable[str]) -> None:
        for user in users:
            if not self._known((workspace, user)):
                self._start(client, (workspace, user))

    async def profile(self, client: AsyncWebClient, workspace: str, user: str) -> Profile | None:
        """The person's profile, from the cache or by waiting for a lookup."""
        key = (workspace, user)
        entry = self._cache.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        task = self._pending.get(key) or self._start(client, key)
        return await asyncio.shield(task)

    async def close(self) -> None:
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, client: AsyncWebClient, key: Key) -> asyncio.Task[Profile | None]:
        task = asyncio.create_task(self._fetch(client, key), name=f"users.info {key[1]}")
        self._pending[key] = task
        task.add_done_callback(lambda _: self._pending.pop(key, None))
        return task

    async def _fetch(self, client: AsyncWebClient, key: Key) -> Profile | None:
        workspace, user = key
        try:
            async with self._slots:
                response = await client.users_info(user=user, include_locale=True)
            payload: Mapping[str, Any] = response.get("user") or {}
            await self._tracker.record([person_seen(workspace, payload, utcnow())])
            await sync_admin(self._tracker.database, workspace, payload)
        except SlackApiError as error:
            log.warning("users.info failed for %s: %s", user, error.response.get("error"))
            self._store(key, None, self._failure_ttl)
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("users.info got no answer for %s: %s", user, type(error).__name__)
            self._store(key, None, self._failure_ttl)
            return None
        except Exception:
            log.exception("users.info lookup failed for %s", user)
            self._store(key, None, self._failure_ttl)
            return None
        profile = Profile(payload.get("locale") or None, payload.get("tz") or None)
        self._store(key, profile, self._ttl)
        return profile

    def _store(self, key: Key, profile: Profile | None, ttl: float) -> None:
        self._cache[key] = (time.monotonic() + ttl, profile)
        self._cache.move_to_end(key)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
