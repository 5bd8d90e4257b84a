"""Replay a timeline of neutral events: a recommender Snapshot at each cutoff, and the
communities each person joined of their own accord in the horizon that followed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench.recs.slack_export import Timeline
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityDeleted,
    CommunityUnarchived,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from nudges.recommend.snapshot import (
    CommunityInfo,
    DayActivity,
    MembershipInfo,
    Snapshot,
    counted_days,
)

IN = ("member", "follower")
AT_CREATION = timedelta(minutes=10)


@dataclass
class Cutoff:
    snapshot: Snapshot
    present: set[int]
    targets: dict[int, set[int]]
    ids: dict[str, int]
    """External id of each person and community -> the number the snapshot uses."""


@dataclass
class _State:
    ids: dict[str, int] = field(default_factory=dict)
    communities: dict[int, CommunityInfo] = field(default_factory=dict)
    memberships: dict[tuple[int, int], MembershipInfo] = field(default_factory=dict)
    daily: dict[tuple[date, int, int], list[int]] = field(default_factory=dict)
    present: set[int] = field(default_factory=set)

    def id(self, external: str) -> int:
        return self.ids.setdefault(external, len(self.ids) + 1)

    def count(
        self, moment: datetime, community: int, person: int, column: int, step: int = 1
    ) -> None:
        row = self.daily.setdefault((moment.date(), community, person), [0, 0, 0, 0, 0])
        row[column] = max(0, row[column] + step)

    def set_member(self, person: int, community: int, state: str, moment: datetime) -> None:
        joined = moment if state == "member" else None
        self.memberships[(person, community)] = MembershipInfo(person, community, state, joined)


def replay(timeline: Timeline, cutoffs: Sequence[datetime], horizon: timedelta) -> Iterator[Cutoff]:
    state = _State()
    events = timeline.events
    position = 0
    for cutoff in cutoffs:
        while position < len(events) and events[position].occurred_at < cutoff:
            _apply(state, events[position])
            position += 1
        snapshot = _snapshot(state, cutoff)
        targets = _targets(state, timeline, events[position:], cutoff + horizon)
        yield Cutoff(snapshot, set(state.present), targets, dict(state.ids))


def _apply(state: _State, event: Event) -> None:
    if isinstance(event, CommunityCreated):
        cid = state.id(event.community)
        state.communities[cid] = CommunityInfo(cid, event.is_private, False, event.occurred_at)
        return
    if isinstance(event, CommunityArchived | CommunityDeleted | CommunityUnarchived):
        cid = state.id(event.community)
        known = state.communities.get(cid, CommunityInfo(cid))
        archived = not isinstance(event, CommunityUnarchived)
        state.communities[cid] = CommunityInfo(cid, known.is_private, archived, known.created_at)
        return
    if not isinstance(
        event, MessagePosted | ReactionAdded | ReactionRemoved | MemberJoined | MemberLeft
    ):
        return
    person, community = state.id(event.person), state.id(event.community)
    state.communities.setdefault(community, CommunityInfo(community))
    state.present.add(person)
    if isinstance(event, MemberJoined | MemberLeft):
        kind = "member" if isinstance(event, MemberJoined) else "left"
        state.set_member(person, community, kind, event.occurred_at)
        if kind == "member":
            state.count(event.occurred_at, community, person, 4)
    elif isinstance(event, MessagePosted):
        state.count(event.occurred_at, community, person, 1 if event.is_reply else 0)
        if (person, community) not in state.memberships:
            state.set_member(person, community, "member", event.occurred_at)
    else:
        step = 1 if isinstance(event, ReactionAdded) else -1
        state.count(event.occurred_at, community, person, 2, step)
        if event.receiver and event.receiver != event.person:
            state.count(event.occurred_at, community, state.id(event.receiver), 3, step)


def _snapshot(state: _State, cutoff: datetime) -> Snapshot:
    first, last = counted_days(cutoff)
    activity = [
        DayActivity(day, community, person, *counts)
        for (day, community, person), counts in state.daily.items()
        if first <= day <= last
    ]
    return Snapshot(
        as_of=cutoff,
        communities=dict(state.communities),
        memberships=list(state.memberships.values()),
        activity=activity,
    )


def _targets(
    state: _State, timeline: Timeline, future: Sequence[Event], until: datetime
) -> dict[int, set[int]]:
    targets: dict[int, set[int]] = {}
    for event in future:
        if event.occurred_at >= until:
            break
        if not isinstance(event, MemberJoined) or event.key in timeline.imposed:
            continue
        person, community = state.ids.get(event.person), state.ids.get(event.community)
        if person is None or community is None or person not in state.present:
            continue
        info = state.communities.get(community)
        if info is None or info.is_private or info.is_archived:
            continue
        if info.created_at is not None and event.occurred_at - info.created_at <= AT_CREATION:
            continue
        membership = state.memberships.get((person, community))
        if membership is None or membership.state not in IN:
            targets.setdefault(person, set()).add(community)
    return targets
