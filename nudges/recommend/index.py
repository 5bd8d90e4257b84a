"""One pass over a snapshot: who is where, who did what, how alive each community is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.metrics.definitions import WINDOW_DAYS
from nudges.recommend.rhythm import Rhythm, rhythm_of
from nudges.recommend.snapshot import CommunityInfo, Snapshot, counted_days

IN_STATES = ("member", "follower")


@dataclass
class Index:
    """Memberships at `as_of` and activity over the twelve ISO weeks before it."""

    as_of: datetime
    communities: dict[int, CommunityInfo]
    members: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    communities_of: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    left: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    dismissed: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    actions: defaultdict[int, defaultdict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    recent_contributors: defaultdict[int, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    cell_people: defaultdict[tuple[int, date], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Who was active in a community on a day (a community-day "cell"), once per row."""
    messages_by_day: defaultdict[int, defaultdict[date, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    recent_joins: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    window_joins: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    rhythm: dict[int, Rhythm] = field(default_factory=dict)


def build_index(snapshot: Snapshot, as_of: datetime) -> Index:
    existing = {
        community: info
        for community, info in snapshot.communities.items()
        if info.created_at is None or info.created_at < as_of
    }
    index = Index(as_of=as_of, communities=existing)
    members, communities_of = index.members, index.communities_of
    for membership in snapshot.memberships:
        community, joined = membership.community, membership.joined_at
        if community not in existing or (joined is not None and joined >= as_of):
            continue
        state = membership.state
        if state in IN_STATES:
            members[community].add(membership.person)
            communities_of[membership.person].add(community)
        elif state == "left":
            index.left[membership.person].add(community)
    for dismissal in snapshot.dismissals:
        if dismissal.active(as_of):
            index.dismissed[dismissal.person].add(dismissal.community)
    first, last = counted_days(as_of)
    recent_from = last - timedelta(days=WINDOW_DAYS - 1)
    actions, cell_people = index.actions, index.cell_people
    for row in snapshot.activity:  # a million rows: locals, and each property read once
        day, community = row.day, row.community
        if not first <= day <= last or community not in existing:
            continue
        acted = row.actions
        if acted:
            actions[row.person][community] += acted
            cell_people[(community, day)].append(row.person)
        if row.joins:
            index.window_joins[community] += row.joins
            if day >= recent_from:
                index.recent_joins[community] += row.joins
        messages = row.messages
        if messages:
            index.messages_by_day[community][day] += messages
            if day >= recent_from:
                index.recent_contributors[community].add(row.person)
    for community, info in index.communities.items():
        index.rhythm[community] = rhythm_of(info, index.messages_by_day.get(community, {}), last)
    return index
