"""One pass over a snapshot: who is where, who did what, how alive each community is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from nudges.recommend.rhythm import Rhythm, rhythm_of
from nudges.recommend.snapshot import CommunityInfo, Snapshot, counted_days

IN_STATES = ("member", "follower")
RECENT_DAYS = 28


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
    cells_of: defaultdict[int, list[tuple[int, date]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    cell_people: defaultdict[tuple[int, date], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
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
    for membership in snapshot.memberships:
        if membership.community not in existing or (
            membership.joined_at is not None and membership.joined_at >= as_of
        ):
            continue
        if membership.state in IN_STATES:
            index.members[membership.community].add(membership.person)
            index.communities_of[membership.person].add(membership.community)
        elif membership.state == "left":
            index.left[membership.person].add(membership.community)
    for dismissal in snapshot.dismissals:
        if dismissal.active(as_of):
            index.dismissed[dismissal.person].add(dismissal.community)
    first, last = counted_days(as_of)
    recent_from = last - timedelta(days=RECENT_DAYS - 1)
    for row in snapshot.activity:
        if not first <= row.day <= last or row.community not in existing:
            continue
        if row.actions:
            index.actions[row.person][row.community] += row.actions
            index.cells_of[row.person].append((row.community, row.day))
            index.cell_people[(row.community, row.day)].append(row.person)
        if row.joins:
            index.window_joins[row.community] += row.joins
            if row.day >= recent_from:
                index.recent_joins[row.community] += row.joins
        if row.messages:
            index.messages_by_day[row.community][row.day] += row.messages
            if row.day >= recent_from:
                index.recent_contributors[row.community].add(row.person)
    for community, info in index.communities.items():
        index.rhythm[community] = rhythm_of(info, index.messages_by_day.get(community, {}), last)
    return index
