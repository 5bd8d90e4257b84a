"""`engage import slack-export`: a Slack export (directory or .zip) -> the tracker, as
neutral events. Metadata only: who, where, when, what kind.

Order: users.json and channels.json, then every day file in date order, each file in its
own transaction with its ledger row, then the membership reconciliation, then a fold.
Files already recorded with the same checksum are skipped, so a re-run adds nothing.

- users.json and channels.json -> people and communities. A person's key carries a
  digest of their profile fields, so a later export with a changed profile records the
  change while an unchanged one records nothing new.
- day files -> messages, joins, leaves and reactions, each message classified as live
  events are (`adapters.slack.ingest.classify_message`). Keys are deterministic
  (`<channel>:<ts>` for a message, `…:reaction:<name>:<user>` for a reaction), so
  importing the same history twice records each fact once.
- memberships: day files show joins, leaves and posts; channels.json says who is a
  member at export time and whether the channel is archived. Where they disagree, the
  export's final state wins: a listed member with no join message joined when the
  channel was created; a listed member whose last message in the channel was a leave
  rejoined, and a person present in the day files but not listed left, just after the
  channel's last message; an archived channel was archived just after its last message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Literal, TypedDict

from adapters.slack.export_schema import (
    CHANNELS,
    MESSAGES,
    USERS,
    DayFile,
    ExportError,
    ExportSource,
    SlackChannel,
    SlackMessage,
    SlackUser,
    open_export,
    parse,
)
from adapters.slack.ingest import (
    SLACKBOT,
    MessageKind,
    classify_message,
    is_from_bot,
    is_reply,
    message_author,
    moment,
)
from adapters.slack.installs import PLATFORM
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    utcnow,
)
from bot.importers.ledger import (
    ImportProgress,
    ImportSummary,
    checksum,
    import_file,
    recorded_checksums,
)
from bot.services import Services
from bot.tracker.inbox import FUTURE_TOLERANCE

MAX_WORKSPACE_LENGTH = 64
JUST_AFTER = timedelta(microseconds=1)
Signal = Literal["joined", "left", "posted"]


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


def default_workspace(path: Path) -> str:
    """`export:<folder or zip name>`, the workspace id when none is given."""
    resolved = path.expanduser().resolve()
    name = resolved.stem if resolved.is_file() else resolved.name
    return f"export:{name}"[:MAX_WORKSPACE_LENGTH]


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


def bot_ids(users: Iterable[SlackUser]) -> frozenset[str]:
    return frozenset({user.id for user in users if user.is_bot} | {SLACKBOT})


def person_events(workspace: str, users: Iterable[SlackUser], now: datetime) -> list[Event]:
    """One PersonSeen per user, dated by the profile's `updated` time when the export has it."""
    events: list[Event] = []
    for user in users:
        profile = user.profile
        name = (profile and (profile.display_name or profile.real_name)) or user.real_name
        seen = PersonSeen(
            platform=PLATFORM,
            workspace=workspace,
            key="",
            occurred_at=moment(user.updated) if user.updated else now,
            person=user.id,
            display_name=name or user.name or None,
            tz=user.tz or None,
            locale=user.locale or None,
            is_bot=user.is_bot or user.id == SLACKBOT,
            deleted=user.deleted,
        )
        fields = [seen.display_name, seen.tz, seen.locale, seen.is_bot, seen.deleted]
        digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]
        events.append(replace(seen, key=f"{user.id}:profile:{digest}"))
    return events


def community_events(
    workspace: str, channels: Iterable[SlackChannel], *, is_private: bool = False
) -> list[Event]:
    return [
        CommunityCreated(
            platform=PLATFORM,
            workspace=workspace,
            key=f"{channel.id}:created",
            occurred_at=moment(channel.created),
            community=channel.id,
            name=channel.name,
            is_private=is_private,
            creator=channel.creator or None,
        )
        for channel in channels
    ]


@dataclass
class DayEvents:
    """One day file of one channel, translated, with who was seen there (for memberships)."""

    events: list[Event] = field(default_factory=list)
    presence: list[tuple[datetime, str, Signal]] = field(default_factory=list)
    bot_messages: int = 0
    other_messages: int = 0
    moments: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class DayTranslator:
    workspace: str
    channel: str
    bots: frozenset[str]

    def translate(self, messages: Iterable[SlackMessage]) -> DayEvents:
        day = DayEvents()
        for message in messages:
            when = moment(message.ts)
            day.moments.append(when)
            comment = None if message.comment is None else {"user": message.comment.user}
            author = message_author(message.subtype, message.user, comment)
            from_bot = is_from_bot(message.subtype, author, message.bot_id, self.bots)
            self._message(day, message, when, author)
            self._reactions(day, message, when, None if from_bot else author)
        return day

    def _message(
        self, day: DayEvents, message: SlackMessage, when: datetime, author: str | None
    ) -> None:
        kind = classify_message(message.subtype, author, message.bot_id, self.bots)
        if kind is MessageKind.BOT:
            day.bot_messages += 1
            return
        if author is None or kind is MessageKind.OTHER:
            day.other_messages += 1
            return
        key = f"{self.channel}:{message.ts}"
        if kind is not MessageKind.POST:
            joined = kind is MessageKind.JOINED
            event = MemberJoined if joined else MemberLeft
            day.events.append(
                event(**self._common(key, when), person=author, community=self.channel)
            )
            day.presence.append((when, author, "joined" if joined else "left"))
            return
        day.events.append(
            MessagePosted(
                **self._common(key, when),
                person=author,
                community=self.channel,
                thread_key=self._thread(message),
                is_reply=is_reply(message.subtype, message.ts, message.thread_ts),
            )
        )
        day.presence.append((when, author, "posted"))

    def _reactions(
        self, day: DayEvents, message: SlackMessage, when: datetime, receiver: str | None
    ) -> None:
        for reaction in message.reactions:
            for giver in reaction.users:
                if giver in self.bots:
                    continue
                key = f"{self.channel}:{message.ts}:reaction:{reaction.name}:{giver}"
                day.events.append(
                    ReactionAdded(
                        **self._common(key, when),
                        person=giver,
                        community=self.channel,
                        receiver=receiver,
                        thread_key=self._thread(message),
                    )
                )

    def _thread(self, message: SlackMessage) -> str:
        return f"{self.channel}:{message.thread_ts or message.ts}"

    def _common(self, key: str, when: datetime) -> _Common:
        return {"platform": PLATFORM, "workspace": self.workspace, "key": key, "occurred_at": when}


class _Common(TypedDict):
    platform: str
    workspace: str
    key: str
    occurred_at: datetime


@dataclass
class ChannelHistory:
    """Who joined, who was last seen present, and the last moment, ignoring future dates."""

    horizon: datetime
    joined: set[str] = field(default_factory=set)
    present: dict[str, tuple[datetime, bool]] = field(default_factory=dict)
    last_moment: datetime | None = None

    def add(self, day: DayEvents) -> None:
        for when, person, signal in day.presence:
            if when > self.horizon:
                continue
            if signal == "joined":
                self.joined.add(person)
            known = self.present.get(person)
            if known is None or when >= known[0]:
                self.present[person] = (when, signal != "left")
        for when in day.moments:
            if when <= self.horizon:
                self.last_moment = max(self.last_moment or when, when)


def closing_events(
    workspace: str, channel: SlackChannel, history: ChannelHistory, bots: frozenset[str]
) -> list[Event]:
    created = moment(channel.created)
    after = (history.last_moment or created) + JUST_AFTER
    members = set(channel.members) - bots
    events: list[Event] = []

    def add(kind: type[MemberJoined] | type[MemberLeft], person: str, when: datetime) -> None:
        suffix = "member" if kind is MemberJoined else "left"
        events.append(
            kind(
                platform=PLATFORM,
                workspace=workspace,
                key=f"{channel.id}:{suffix}:{person}",
                occurred_at=when,
                person=person,
                community=channel.id,
            )
        )

    for person in sorted(members):
        last = history.present.get(person)
        if last is not None and not last[1]:
            add(MemberJoined, person, after)
        elif person not in history.joined:
            add(MemberJoined, person, created)
    for person, (_, is_present) in sorted(history.present.items()):
        if is_present and person not in members and person not in bots:
            add(MemberLeft, person, after)
    if channel.is_archived:
        events.append(
            CommunityArchived(
                platform=PLATFORM,
                workspace=workspace,
                key=f"{channel.id}:archived",
                occurred_at=after,
                community=channel.id,
            )
        )
    return events
