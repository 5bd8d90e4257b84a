"""Slack's roster: `users.list`, `conversations.list`, `conversations.info` and
`conversations.members`, paged, reconciled by `bot.roster`.

Scopes: `users:read` (people), `channels:read` (public channels and their members),
`groups:read` (private channels the bot is in). Every method is paced below its Slack
tier (Tier 2: 20 calls a minute, Tier 3: 50, Tier 4: 100) and a 429 waits its
Retry-After, asleep on the event loop: nothing else waits for a sync. Where the sync
stands is kept in the `meta` table after each page or channel that wrote something, so a
sync cut short (crash, SIGKILL) continues from there.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlmodel import select

from adapters.slack.clients import retry_after
from adapters.slack.ingest import Envelope
from adapters.slack.installs import PLATFORM, Credentials, SingleWorkspace
from adapters.slack.people import person_seen
from bot.roster import (
    SYNCED_AT,
    Reconciler,
    RosterCommunity,
    RosterReport,
    load_progress,
    meta_key,
    save_progress,
    sync_soon,
)
from bot.services import Services
from bot.storage.models import Meta, SlackInstallation

log = logging.getLogger("engage.slack.roster")

PAGE_SIZE = 200
"""Slack's recommended page size for every paged method used here."""

CALLS_PER_MINUTE = {
    "users.list": 20,
    "conversations.list": 20,
    "conversations.info": 50,
    "conversations.members": 100,
}

SAVE_EVERY_SECONDS = 30.0
"""Progress is also saved this often when nothing new was found."""

YIELD_SECONDS = 2.0
YIELD_STEP = 0.05
UNREADABLE = {"not_in_channel", "channel_not_found", "method_not_supported_for_channel_type"}


class Pacer:
    """A token bucket per method, as Slack's tiers allow: a burst of one minute's calls,
    then calls at the tier's rate. `scale` shrinks every wait, Retry-After included
    (benchmarks run Slack's minutes in fractions of a second; 0 never waits)."""

    def __init__(self, scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.scale = scale
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._stamps: dict[str, float] = {}

    async def turn(self, method: str) -> None:
        if self.scale <= 0:
            return
        limit = CALLS_PER_MINUTE.get(method, 20)
        rate = limit / (60.0 * self.scale)
        while True:
            now = self._clock()
            elapsed = now - self._stamps.get(method, now)
            tokens = min(float(limit), self._tokens.get(method, float(limit)) + elapsed * rate)
            self._stamps[method] = now
            if tokens >= 1:
                self._tokens[method] = tokens - 1
                return
            self._tokens[method] = tokens
            await asyncio.sleep((1 - tokens) / rate)

    async def back_off(self, seconds: float) -> None:
        await asyncio.sleep(seconds * self.scale)


class SlackRoster:
    platform = PLATFORM

    def __init__(
        self,
        services: Services,
        credentials: Credentials,
        *,
        scale: float = 1.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.services = services
        self.credentials = credentials
        self.page_size = page_size
        self.pacer = Pacer(scale)
        self.rate_limited = 0
        """429 answers waited out so far."""
        self._locks: dict[str, asyncio.Lock] = {}

    async def workspaces(self) -> list[str]:
        """Team ids of the installs: every active OAuth install, or the single token's team."""
        if isinstance(self.credentials, SingleWorkspace):
            token = await self.credentials.bot_token("")
            if token is None:
                return []
            answer = await self._call(self._client(token), "auth.test")
            return [str(answer["team_id"])]
        rows = await self.services.database.read(
            lambda session: session.exec(
                select(SlackInstallation.team_key).where(
                    SlackInstallation.active.is_(True)  # type: ignore[attr-defined]
                )
            ).all()
        )
        return sorted({str(row) for row in rows if row})

    async def sync(self, workspace: str | None = None) -> RosterReport:
        report = RosterReport(self.platform)
        try:
            teams = [workspace] if workspace else await self.workspaces()
        except SlackApiError as error:
            return _failed(report, f"auth.test: {error.response.get('error')}")
        for team in teams:
            async with self._locks.setdefault(team, asyncio.Lock()):  # one sync at a time
                report.add(await self._sync_workspace(team))
        return report

    def _client(self, token: str) -> AsyncWebClient:
        settings = self.services.settings
        client = AsyncWebClient(token=token, base_url=settings.slack_api_url)
        client.timeout = math.ceil(settings.api_timeout_seconds)
        client.retry_handlers = []  # 429s are waited out here, without limit on count
        return client

    async def _sync_workspace(self, team: str) -> RosterReport:
        report = RosterReport(self.platform, workspaces=1)
        token = await self.credentials.bot_token(team)
        if token is None:
            return _failed(report, f"{team}: not installed")
        client = self._client(token)
        reconciler = Reconciler(self.services, self.platform, team)
        await reconciler.load()
        progress = Progress(self.services, team, await load_progress(self.services, PLATFORM, team))
        try:
            if progress.state.get("phase") != "channels":
                await self._people(client, team, reconciler, progress, report)
            await self._channels(client, reconciler, progress, report)
        except (SlackApiError, TimeoutError, OSError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else error
            log.warning("roster sync of Slack team %s stopped: %s", team, reason)
            report.events = reconciler.written
            return _failed(report, f"{team}: {reason}")
        await reconciler.finish(self.services.clock())
        report.events = reconciler.written
        return report

    async def _people(
        self,
        client: AsyncWebClient,
        team: str,
        reconciler: Reconciler,
        progress: Progress,
        report: RosterReport,
    ) -> None:
        cursor = str(progress.state.get("cursor") or "")
        while True:
            page = await self._call(client, "users.list", limit=self.page_size, cursor=cursor)
            now = self.services.clock()
            seen = [person_seen(team, user, now) for user in page.get("members") or []]
            written = await reconciler.people(seen)
            report.people += len(seen)
            cursor = _next_cursor(page)
            if not cursor:
                await progress.save({"phase": "channels"}, force=True)
                return
            await progress.save({"phase": "users", "cursor": cursor}, force=bool(written))

    async def _channels(
        self,
        client: AsyncWebClient,
        reconciler: Reconciler,
        progress: Progress,
        report: RosterReport,
    ) -> None:
        cursor = str(progress.state.get("cursor") or "")
        done = int(progress.state.get("done") or 0)
        while True:
            page = await self._call(
                client,
                "conversations.list",
                types="public_channel,private_channel",
                exclude_archived=False,
                limit=self.page_size,
                cursor=cursor,
            )
            channels = list(page.get("channels") or [])
            for index, channel in enumerate(channels[done:], start=done):
                community = await self._community(client, channel)
                written = await reconciler.community(community, self.services.clock())
                report.communities += 1
                state = {"phase": "channels", "cursor": cursor, "done": index + 1}
                await progress.save(state, force=bool(written))
            cursor, done = _next_cursor(page), 0
            if not cursor:
                return
            await progress.save({"phase": "channels", "cursor": cursor, "done": 0})

    async def _community(self, client: AsyncWebClient, channel: dict[str, Any]) -> RosterCommunity:
        ident = str(channel["id"])
        if not _number(channel.get("created")) or "creator" not in channel:
            answer = await self._call(client, "conversations.info", channel=ident)
            channel = {**channel, **(answer.get("channel") or {})}
        is_private = bool(channel.get("is_private"))
        members = None
        if not is_private or channel.get("is_member"):
            members = await self._members(client, ident)
        created = _number(channel.get("created"))
        return RosterCommunity(
            external_id=ident,
            name=str(channel.get("name") or ""),
            is_private=is_private,
            is_archived=bool(channel.get("is_archived")),
            created_at=datetime.fromtimestamp(created, UTC) if created else None,
            creator=str(channel.get("creator") or "") or None,
            members=members,
        )

    async def _members(self, client: AsyncWebClient, channel: str) -> frozenset[str] | None:
        found: set[str] = set()
        cursor = ""
        while True:
            try:
                page = await self._call(
                    client,
                    "conversations.members",
                    channel=channel,
                    limit=self.page_size,
                    cursor=cursor,
                )
            except SlackApiError as error:
                if error.response.get("error") in UNREADABLE:
                    return None
                raise
            found.update(str(member) for member in page.get("members") or [])
            cursor = _next_cursor(page)
            if not cursor:
                return frozenset(found)

    async def _call(self, client: AsyncWebClient, method: str, **params: Any) -> AsyncSlackResponse:
        """One Web API call in its tier's pace; a 429 waits its Retry-After and tries again."""
        await self._yield_to_live_events()
        while True:
            await self.pacer.turn(method)
            try:
                return await client.api_call(method, http_verb="GET", params=_query(params))
            except SlackApiError as error:
                if error.response.status_code != 429:
                    raise
                self.rate_limited += 1
                wait = retry_after(error.response.headers)
                await self.pacer.back_off(wait if wait is not None else 1.0)

    async def _yield_to_live_events(self) -> None:
        """While live events arrive in a burst, wait (a little, at most `YIELD_SECONDS`):
        acknowledging them comes first."""
        arrivals = self.services.tracker.arrivals
        waited = 0.0
        while arrivals.busy() and waited < YIELD_SECONDS:
            await asyncio.sleep(YIELD_STEP)
            waited += YIELD_STEP


class Progress:
    """Where this workspace's sync stands, saved when it wrote something or now and then."""

    def __init__(self, services: Services, team: str, state: dict[str, Any]) -> None:
        self.services = services
        self.team = team
        self.state = state
        self._saved = time.monotonic()

    async def save(self, state: dict[str, Any], *, force: bool = False) -> None:
        self.state = state
        if force or time.monotonic() - self._saved >= SAVE_EVERY_SECONDS:
            await save_progress(self.services, PLATFORM, self.team, state)
            self._saved = time.monotonic()


def _query(params: dict[str, Any]) -> dict[str, str]:
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in params.items()
        if value != ""
    }


def _number(value: object) -> int | None:
    """A Unix time as Slack gives it (a number, or a string of digits in some answers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _next_cursor(page: AsyncSlackResponse) -> str:
    metadata = page.get("response_metadata") or {}
    return str(metadata.get("next_cursor") or "")


def _failed(report: RosterReport, problem: str) -> RosterReport:
    report.complete = False
    report.problems.append(problem)
    return report


def install_roster(services: Services, credentials: Credentials) -> None:
    """Let the `roster` job and lifecycle events sync Slack (once per services)."""
    if not any(source.platform == PLATFORM for source in services.roster_sources):
        pace = services.settings.roster_pace
        services.roster_sources.append(SlackRoster(services, credentials, scale=pace))


class RosterTriggers:
    """Which events start a background sync of their workspace: the bot added to a channel
    (`member_joined_channel` for the bot itself), a channel created, and the first event of
    a workspace never synced. Decided from the payload alone: the request waits on nothing."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._checked: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, payload: Mapping[str, Any]) -> None:
        event = payload.get("event")
        team = payload.get("team_id")
        if payload.get("type") != "event_callback" or not isinstance(event, Mapping):
            return
        if not isinstance(team, str) or not team:
            return
        kind = event.get("type")
        bots = Envelope(payload).bot_users
        if kind == "channel_created" or (
            kind == "member_joined_channel" and event.get("user") in bots - {None}
        ):
            sync_soon(self.services, PLATFORM, team)
        elif team not in self._checked:
            self._checked.add(team)
            task = asyncio.create_task(self._sync_if_never_synced(team), name="engage-roster-first")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def install_later(self) -> None:
        """After an OAuth install: sync, in the background, every install never synced."""
        task = asyncio.create_task(self._installed(), name="engage-roster-install")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _installed(self) -> None:
        source = next((s for s in self.services.roster_sources if isinstance(s, SlackRoster)), None)
        if source is None:
            return
        for team in await source.workspaces():
            await self._sync_if_never_synced(team)

    async def _sync_if_never_synced(self, team: str) -> None:
        key = meta_key(SYNCED_AT, PLATFORM, team)
        try:
            synced = await self.services.database.read(lambda session: session.get(Meta, key))
        except Exception:
            log.exception("roster: cannot read when Slack team %s was synced", team)
            return
        if synced is None:
            sync_soon(self.services, PLATFORM, team)
