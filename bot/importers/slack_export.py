"""`engage import slack-export`: a Slack export (directory or .zip) -> the tracker.

Order: users.json and channels.json, then every day file in date order, each file in its
own transaction with its ledger row, then the membership reconciliation, then a fold.
Files already recorded with the same checksum are skipped, so a re-run adds nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.events import Event, utcnow
from bot.importers.ledger import checksum, import_file, recorded_checksums
from bot.importers.report import ImportProgress, ImportSummary
from bot.importers.slack_directory import bot_ids, community_events, person_events
from bot.importers.slack_members import ChannelHistory, closing_events
from bot.importers.slack_schema import (
    CHANNELS,
    MESSAGES,
    USERS,
    SlackChannel,
    SlackUser,
    parse,
)
from bot.importers.slack_source import DayFile, ExportError, ExportSource, open_export
from bot.importers.slack_translate import DayEvents, DayTranslator
from bot.services import Services
from bot.tracker.inbox import FUTURE_TOLERANCE

MAX_WORKSPACE_LENGTH = 64


def default_workspace(path: Path) -> str:
    """`export:<folder or zip name>`, the workspace id when none is given."""
    resolved = path.expanduser().resolve()
    name = resolved.stem if resolved.is_file() else resolved.name
    return f"export:{name}"[:MAX_WORKSPACE_LENGTH]


async def import_slack_export(
    services: Services,
    path: Path,
    *,
    workspace: str | None = None,
    progress: ImportProgress | None = None,
) -> ImportSummary:
    workspace = workspace or default_workspace(path)
    if len(workspace) > MAX_WORKSPACE_LENGTH:
        raise ExportError(f"workspace id longer than {MAX_WORKSPACE_LENGTH} characters")
    source = await asyncio.to_thread(open_export, path)
    try:
        run = _ImportRun(services, source, ImportSummary(workspace), progress)
        try:
            await run.import_all()
        except ExportError:
            await services.tracker.fold()
            raise
        run.summary.folded = await services.tracker.fold()
        await services.database.refresh_statistics()
        return run.summary
    finally:
        source.close()


@dataclass
class _ImportRun:
    services: Services
    source: ExportSource
    summary: ImportSummary
    progress: ImportProgress | None
    recorded: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"slack:{self.summary.workspace}:"

    async def import_all(self) -> None:
        users, channels = await self._index_files()
        workspace, bots = self.summary.workspace, bot_ids(users)
        by_folder = {channel.name: channel for channel in channels}
        horizon = utcnow() + FUTURE_TOLERANCE
        histories = {channel.id: ChannelHistory(horizon) for channel in channels}
        day_files = self.source.day_files()
        if self.progress is not None:
            self.progress.begin(len(day_files))
        for day_file in day_files:
            channel = by_folder.get(day_file.folder)
            if channel is None:
                self.summary.unknown_folders.add(day_file.folder)
            else:
                day = await self._day(day_file, DayTranslator(workspace, channel.id, bots))
                histories[channel.id].add(day)
            if self.progress is not None:
                self.progress.advance(day_file.name)
        closing = [
            event
            for channel in channels
            for event in closing_events(workspace, channel, histories[channel.id], bots)
        ]
        digest = checksum("\n".join(f"{e.key}@{e.occurred_at}" for e in closing).encode())
        await self._store("memberships", digest, closing)

    async def _index_files(self) -> tuple[list[SlackUser], list[SlackChannel]]:
        """Both index files are parsed before anything is stored."""
        users_data = await asyncio.to_thread(self.source.read, "users.json")
        channels_data = await asyncio.to_thread(self.source.read, "channels.json")
        users = parse(USERS, "users.json", users_data)
        channels = parse(CHANNELS, "channels.json", channels_data)
        self.summary.people, self.summary.channels = len(users), len(channels)
        self.recorded = await self.services.database.read(
            partial(recorded_checksums, prefix=self.prefix)
        )
        workspace = self.summary.workspace
        await self._file("users.json", users_data, person_events(workspace, users, utcnow()))
        await self._file("channels.json", channels_data, community_events(workspace, channels))
        return users, channels

    async def _day(self, day_file: DayFile, translator: DayTranslator) -> DayEvents:
        def prepare() -> tuple[bytes, DayEvents]:
            data = self.source.read(day_file.name)
            return data, translator.translate(parse(MESSAGES, day_file.name, data))

        data, day = await asyncio.to_thread(prepare)
        source_key = f"{translator.channel}/{day_file.day}.json"
        if await self._file(source_key, data, day.events):
            self.summary.bot_messages += day.bot_messages
            self.summary.other_messages += day.other_messages
        return day

    async def _file(self, name: str, data: bytes, events: list[Event]) -> bool:
        """Import one file's events unless already imported; True when it was imported now."""
        imported = await self._store(name, checksum(data), events)
        if imported:
            self.summary.files_imported += 1
        else:
            self.summary.files_skipped += 1
        return imported

    async def _store(self, name: str, digest: str, events: list[Event]) -> bool:
        source_key = self.prefix + name
        if self.recorded.get(source_key) == digest:
            return False
        work = partial(import_file, source_key=source_key, digest=digest, events=events)
        self.summary.events.add(await self.services.database.write(work))
        return True
