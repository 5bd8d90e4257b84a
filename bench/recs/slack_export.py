"""The evaluation's view of a Slack export: its dated facts as neutral events in time order,
in memory, without a database.

Messages, joins, leaves and reactions are translated by the importer's own code
(`adapters.slack.export.DayTranslator`, which classifies each message as live events
are), so the evaluation replays what an install that imported the same export would hold.
What the evaluation needs beyond the importer:

- joins that were not the person's own doing (invited by someone, or into the mandatory
  general channel) are listed in `Timeline.imposed`, so that the truth can skip them;
- archives and unarchives are taken from their dated messages. Channel member lists and
  undated archive flags describe the export's last day, not the past, so members are not
  used and an undated archive counts from the end of the history;
- private groups (`groups.json`, in exports that have it) are read too, as private
  communities: never candidates, but their activity is part of the people's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.slack.export import DayTranslator, bot_ids, community_events
from adapters.slack.export_schema import (
    CHANNELS,
    MESSAGES,
    USERS,
    ExportSource,
    SlackChannel,
    SlackMessage,
    open_export,
    parse,
)
from adapters.slack.ingest import JOINS, moment
from adapters.slack.installs import PLATFORM
from bot.events import CommunityArchived, CommunityUnarchived, Event

ARCHIVES = {"channel_archive", "group_archive"}
UNARCHIVES = {"channel_unarchive", "group_unarchive"}
BEFORE_ALL = datetime.min.replace(tzinfo=UTC)


@dataclass
class Timeline:
    workspace: str
    events: list[Event] = field(default_factory=list)
    imposed: set[str] = field(default_factory=set)
    """Keys of the joins that were not the person's own doing."""


def read_export(path: Path) -> Timeline:
    """Read a Slack export, a directory or a .zip; `ExportError` names what is wrong."""
    with open_export(path) as source:
        return _read(source)


def _read(source: ExportSource) -> Timeline:
    timeline = Timeline(workspace=source.name)
    bots = bot_ids(parse(USERS, "users.json", source.read("users.json")))
    channels, groups = _channels(source, "channels.json"), _channels(source, "groups.json")
    by_folder = {channel.name: channel for channel in [*channels, *groups]}
    archived = {channel.id: False for channel in by_folder.values()}
    timeline.events += community_events(timeline.workspace, channels)
    timeline.events += community_events(timeline.workspace, groups, is_private=True)
    for day_file in source.day_files():
        found = by_folder.get(day_file.folder)
        if found is None:
            continue
        messages = parse(MESSAGES, day_file.name, source.read(day_file.name))
        translated = DayTranslator(timeline.workspace, found.id, bots).translate(messages)
        timeline.events.extend(translated.events)
        for message in messages:
            _dated_facts(timeline, found, message, archived)
    end = max((event.occurred_at for event in timeline.events), default=BEFORE_ALL)
    for channel in by_folder.values():
        if channel.is_archived and not archived[channel.id]:
            timeline.events.append(
                CommunityArchived(
                    platform=PLATFORM,
                    workspace=timeline.workspace,
                    key=f"{channel.id}:archived",
                    occurred_at=end + timedelta(seconds=1),
                    community=channel.id,
                )
            )
    timeline.events.sort(key=lambda event: (event.occurred_at, event.key))
    return timeline


def _channels(source: ExportSource, name: str) -> list[SlackChannel]:
    return parse(CHANNELS, name, source.read(name)) if name in source else []


def _dated_facts(
    timeline: Timeline,
    channel: SlackChannel,
    message: SlackMessage,
    archived: dict[str, bool],
) -> None:
    """What the importer leaves out: dated archives, and whose joins were imposed."""
    key = f"{channel.id}:{message.ts}"  # the importer's key for the same message
    if message.subtype in ARCHIVES | UNARCHIVES:
        archived[channel.id] = message.subtype in ARCHIVES
        kind = CommunityArchived if archived[channel.id] else CommunityUnarchived
        timeline.events.append(
            kind(
                platform=PLATFORM,
                workspace=timeline.workspace,
                key=key,
                occurred_at=moment(message.ts),
                community=channel.id,
            )
        )
    elif message.subtype in JOINS and (message.inviter or channel.is_general):
        timeline.imposed.add(key)
