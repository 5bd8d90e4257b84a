"""Links to Slack threads for the digest: `chat.getPermalink`, cached and rate-limited.

A permalink never changes, so each (workspace, channel, ts) is asked once per process
(`CACHE_SIZE` most recent kept). At most `PER_MINUTE` calls a minute per workspace (Slack
allows more for this method, so the digest leaves room for everything else); past that, and
on any failure (rate limit, message deleted, network), the channel's link stands in and the
permalink is asked again next time. Only ids go to Slack and come back; never text.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable

from aiohttp import ClientError
from slack_sdk.errors import SlackClientError

from adapters.slack.clients import web_client
from adapters.slack.credentials import Credentials
from bot.settings import Settings

log = logging.getLogger(__name__)
PER_MINUTE = 50
CACHE_SIZE = 10_000
MINUTE = 60.0


class Permalinks:
    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        clock: Callable[[], float] = time.monotonic,
        per_minute: int = PER_MINUTE,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._clock = clock
        self._per_minute = per_minute
        self._cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._calls: defaultdict[str, deque[float]] = defaultdict(deque)

    async def get(self, workspace: str, channel: str, ts: str) -> str | None:
        """The message's permalink, or None when it cannot be had now."""
        key = (workspace, channel, ts)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if not self._take(workspace):
            log.info("chat.getPermalink: over %d a minute in %s", self._per_minute, workspace)
            return None
        token = await self._credentials.bot_token(workspace)
        if token is None:
            return None
        try:
            answer = await web_client(self._settings, token).chat_getPermalink(
                channel=channel, message_ts=ts
            )
        except (SlackClientError, ClientError, TimeoutError) as error:
            log.info("chat.getPermalink failed in %s: %s", workspace, type(error).__name__)
            return None
        link = answer.get("permalink")
        if not isinstance(link, str) or not link.startswith(("https://", "http://")):
            return None
        self._cache[key] = link
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return link

    def _take(self, workspace: str) -> bool:
        now, calls = self._clock(), self._calls[workspace]
        while calls and calls[0] <= now - MINUTE:
            calls.popleft()
        if len(calls) >= self._per_minute:
            return False
        calls.append(now)
        return True
