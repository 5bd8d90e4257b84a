"""A small workspace as a Snapshot, built by hand for the recommender's tests.

as_of is Monday 2026-03-02 00:00 UTC, so the last counted day is Sunday 03-01 and week 0
is 02-23..03-01. Person 1 works with 2..6 in #team (101), where they post on the same
days; 2..6 also post in #ml (102) every week. 7..14 post in #cooking (103) every week.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from nudges.recommend import (
    CommunityInfo,
    DayActivity,
    DismissalInfo,
    MembershipInfo,
    Snapshot,
)

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)
LAST = date(2026, 3, 1)
ME, TEAM, OTHERS = 1, (2, 3, 4, 5, 6), tuple(range(7, 15))
GENERAL, TEAM_ROOM, ML, COOKING = 100, 101, 102, 103
ALL_WEEKS = range(12)


def tuesday(week: int) -> date:
    """The Tuesday of `week` weeks before the last counted week."""
    return LAST - timedelta(days=5) - timedelta(weeks=week)


class World:
    def __init__(self) -> None:
        self.communities: dict[int, CommunityInfo] = {}
        self.memberships: list[MembershipInfo] = []
        self.activity: list[DayActivity] = []
        self.dismissals: list[DismissalInfo] = []

    def community(
        self, community: int, *, private: bool = False, archived: bool = False, age_days: int = 400
    ) -> int:
        created = AS_OF - timedelta(days=age_days)
        self.communities[community] = CommunityInfo(community, private, archived, created)
        return community

    def members(self, community: int, people: Iterable[int], state: str = "member") -> None:
        joined = AS_OF - timedelta(days=200)
        self.memberships += [MembershipInfo(p, community, state, joined) for p in people]

    def posts(self, community: int, people: Iterable[int], weeks: Iterable[int]) -> None:
        for week in weeks:
            self.activity += [DayActivity(tuesday(week), community, p, posts=1) for p in people]

    def joins(self, community: int, people: Iterable[int], week: int = 0) -> None:
        self.activity += [DayActivity(tuesday(week), community, p, joins=1) for p in people]

    def dismiss(self, community: int, until: datetime | None = None) -> None:
        self.dismissals.append(DismissalInfo(ME, community, until))

    def snapshot(self, shuffle_seed: int | None = None) -> Snapshot:
        memberships, activity = list(self.memberships), list(self.activity)
        communities = dict(self.communities)
        if shuffle_seed is not None:
            rng = random.Random(shuffle_seed)
            rng.shuffle(memberships)
            rng.shuffle(activity)
            communities = dict(rng.sample(list(communities.items()), len(communities)))
        return Snapshot(AS_OF, communities, memberships, activity, list(self.dismissals))


def office() -> World:
    """#general (everyone), #team (1..6), #ml (2..6, steady), #cooking (7..14, steady)."""
    world = World()
    everyone = (ME, *TEAM, *OTHERS)
    world.community(GENERAL)
    world.members(GENERAL, everyone)
    world.posts(GENERAL, (7,), ALL_WEEKS)
    world.community(TEAM_ROOM)
    world.members(TEAM_ROOM, (ME, *TEAM))
    world.posts(TEAM_ROOM, (ME, *TEAM), ALL_WEEKS)
    world.community(ML)
    world.members(ML, TEAM)
    world.posts(ML, TEAM, ALL_WEEKS)
    world.community(COOKING)
    world.members(COOKING, OTHERS)
    world.posts(COOKING, OTHERS, ALL_WEEKS)
    return world
