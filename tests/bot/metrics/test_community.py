"""A community's figures from its traces equal those summed from its rollups."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from bot.metrics.community import (
    CommunityStats,
    community_stats,
    community_stats_from_rollups,
    counts_from_traces,
)
from bot.services import Services
from bot.storage.models import Community
from bot.synth import SynthSpec, build_world

END = date(2026, 3, 2)
SPEC = SynthSpec(people=120, communities=12, days=150, end=END, seed=11)


def from_rollups(session: Session, community: int, as_of: date) -> CommunityStats:
    return community_stats_from_rollups(session, community, as_of, 3)


async def test_traces_and_rollups_agree_for_every_community(services: Services) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()

    def compare(session: Session) -> tuple[int, int]:
        answered = visible = 0
        for community in session.exec(select(Community.id)).all():
            assert community is not None
            for as_of in (
                END - timedelta(days=1),
                END + timedelta(days=20),
                END + timedelta(days=60),
            ):
                counts = counts_from_traces(session, community, as_of)
                if counts is None:
                    continue
                answered += 1
                expected = from_rollups(session, community, as_of)
                assert community_stats(session, community, as_of, 3) == expected, (community, as_of)
                visible += isinstance(expected.posts, int) and expected.posts > 0
        return answered, visible

    answered, visible = await services.database.read(compare)
    assert answered >= 30
    assert visible >= 8


async def test_a_date_before_the_latest_activity_is_left_to_the_rollups(
    services: Services,
) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()
    as_of = END - timedelta(days=30)

    def earlier(session: Session) -> tuple[int, int]:
        left = 0
        ids = [c for c in session.exec(select(Community.id)).all() if c]
        for community in ids:
            counts = counts_from_traces(session, community, as_of)
            if counts is None:
                left += 1
            else:  # nothing happened there since: the traces still answer, exactly
                expected = from_rollups(session, community, as_of)
                assert community_stats(session, community, as_of, 3) == expected
        return left, len(ids)

    left, communities = await services.database.read(earlier)
    assert communities // 2 <= left < communities
