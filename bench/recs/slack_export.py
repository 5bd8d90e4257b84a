"""A light Slack export reader: the export as neutral events in time order, in memory.

Enough to replay a workspace for offline evaluation without a database. Joins that were
not the person's own doing (invited by someone, or into the mandatory general channel) are
listed in `Timeline.imposed` so the evaluation can skip them. Only dated facts are replayed:
channel member lists and undated archive flags describe the export's last day, not the past.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.errors import EngageError
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityUnarchived,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
)

PLATFORM = "slack"
JOINS, LEAVES = {"channel_join", "group_join"}, {"channel_leave", "group_leave"}
ARCHIVES, UNARCHIVES = (
    {"channel_archive", "group_archive"},
    {"channel_unarchive", "group_unarchive"},
)
SKIPPED_SUBTYPES = {"bot_message", "bot_add", "bot_remove", "channel_purpose", "channel_topic"}
SKIPPED_SUBTYPES |= {"channel_name", "pinned_item", "unpinned_item", "reminder_add"}
SKIPPED_SUBTYPES |= {"group_purpose", "group_topic", "group_name", "message_changed"}
SKIPPED_SUBTYPES |= {"message_deleted", "channel_convert_to_private", "tombstone"}


@dataclass
class Timeline:
    workspace: str
    events: list[Event] = field(default_factory=list)
    imposed: set[str] = field(default_factory=set)
    bots: set[str] = field(default_factory=set)
    undated_archives: list[str] = field(default_factory=list)
    """Channels the export flags archived without a dated archive message: archived after
    the whole history, since when is unknown (before that, the flag would be a leak)."""


def read_export(path: Path) -> Timeline:
    """Read a Slack export directory or .zip: channels, private groups, users, day files."""
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory() as folder:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(folder)
            inner = [p for p in Path(folder).rglob("channels.json")]
            return _read_root(inner[0].parent if inner else Path(folder), path.stem)
    return _read_root(path, path.name)


def _read_root(root: Path, name: str) -> Timeline:
    if not (root / "channels.json").is_file():
        raise EngageError(f"not a Slack export (no channels.json): {root}")
    timeline = Timeline(workspace=name)
    users = _json_list(root / "users.json")
    timeline.bots = {u["id"] for u in users if u.get("is_bot") or u["id"] == "USLACKBOT"}
    for channel in _json_list(root / "channels.json"):
        _read_channel(root, channel, timeline)
    for group in _json_list(root / "groups.json"):
        _read_channel(root, {**group, "is_private": True}, timeline)
    moments = [event.occurred_at for event in timeline.events]
    end = max(moments, default=datetime.min.replace(tzinfo=UTC))
    for cid in timeline.undated_archives:
        timeline.events.append(
            CommunityArchived(
                platform=PLATFORM,
                workspace=timeline.workspace,
                key=f"{cid}-archived",
                occurred_at=end + timedelta(seconds=1),
                community=cid,
            )
        )
    timeline.events.sort(key=lambda event: (event.occurred_at, event.key))
    return timeline


def _json_list(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return [item for item in loaded if isinstance(item, dict)] if isinstance(loaded, list) else []


def _read_channel(root: Path, channel: dict[str, Any], timeline: Timeline) -> None:
    cid = channel["id"]
    created = _moment(str(channel.get("created", "0")))
    timeline.events.append(
        CommunityCreated(
            platform=PLATFORM,
            workspace=timeline.workspace,
            key=f"{cid}-created",
            occurred_at=created,
            community=cid,
            name=channel.get("name", ""),
            is_private=bool(channel.get("is_private", False)),
            creator=channel.get("creator") or None,
        )
    )
    read = _ChannelReader(timeline, cid, bool(channel.get("is_general")))
    for day_file in sorted((root / channel.get("name", cid)).glob("*.json")):
        for message in _json_list(day_file):
            read.message(message)
    if channel.get("is_archived") and not read.archived:
        timeline.undated_archives.append(cid)


class _ChannelReader:
    def __init__(self, timeline: Timeline, community: str, is_general: bool) -> None:
        self.timeline = timeline
        self.community = community
        self.is_general = is_general
        self.archived = False
        self.last = datetime.min.replace(tzinfo=UTC)

    def message(self, message: dict[str, Any]) -> None:
        user, subtype, ts = message.get("user"), message.get("subtype"), str(message.get("ts", ""))
        if not ts or subtype in SKIPPED_SUBTYPES:
            return
        at, key = _moment(ts), f"{self.community}-{ts}"
        self.last = max(self.last, at)
        kept = self.timeline.events
        place = {
            "platform": PLATFORM,
            "workspace": self.timeline.workspace,
            "community": self.community,
        }
        if subtype in ARCHIVES | UNARCHIVES:
            self.archived = subtype in ARCHIVES
            kind = CommunityArchived if self.archived else CommunityUnarchived
            kept.append(kind(**place, key=key, occurred_at=at))
            return
        if not isinstance(user, str) or user in self.timeline.bots or message.get("bot_id"):
            return
        if subtype in JOINS:
            kept.append(MemberJoined(**place, key=key, occurred_at=at, person=user))
            if message.get("inviter") or self.is_general:
                self.timeline.imposed.add(key)
        elif subtype in LEAVES:
            kept.append(MemberLeft(**place, key=key, occurred_at=at, person=user))
        else:
            thread = message.get("thread_ts")
            reply = bool(thread) and thread != ts
            kept.append(
                MessagePosted(
                    **place, key=key, occurred_at=at, person=user, thread_key=thread, is_reply=reply
                )
            )
            self.reactions(message, key, at, user)

    def reactions(self, message: dict[str, Any], key: str, at: datetime, author: str) -> None:
        for reaction in message.get("reactions", []):
            for index, reactor in enumerate(reaction.get("users", [])):
                if reactor in self.timeline.bots:
                    continue
                self.timeline.events.append(
                    ReactionAdded(
                        platform=PLATFORM,
                        workspace=self.timeline.workspace,
                        key=f"{key}-{reaction.get('name')}-{index}",
                        occurred_at=at,
                        person=reactor,
                        community=self.community,
                        receiver=author,
                    )
                )


def _moment(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)
