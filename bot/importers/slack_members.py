"""Reconcile what the day files say about a channel with its state in channels.json.

Day files show joins, leaves and posts; channels.json says who is a member at export time
and whether the channel is archived. Where they disagree, the export's final state wins:
- a listed member with no join message joined when the channel was created;
- a listed member whose last message in the channel was a leave rejoined, and a person
  present in the day files but not listed left, just after the channel's last message;
- an archived channel was archived just after its last message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.events import CommunityArchived, Event, MemberJoined, MemberLeft
from bot.importers.slack_schema import SlackChannel
from bot.importers.slack_translate import PLATFORM, DayEvents, moment

JUST_AFTER = timedelta(microseconds=1)


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
