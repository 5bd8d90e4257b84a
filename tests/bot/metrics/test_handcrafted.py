"""Every metric against the figures computed by hand in tests/support/workspace.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot.metrics import (
    CommunityStats,
    Suppressed,
    community_stats,
    org_ladders,
    person_stats,
    top_communities,
)
from bot.services import Services
from bot.storage.models import Community, Person, Workspace
from tests.support.workspace import AS_OF, handcrafted_events

HIDDEN = Suppressed(5)
WITHHELD = Suppressed(5, complementary=True)


@pytest.fixture
async def ready(services: Services) -> Services:
    assert await services.tracker.record(handcrafted_events()) == len(handcrafted_events())
    await services.tracker.fold()
    return services


def ids(session: Session) -> tuple[int, dict[str, int], dict[str, int]]:
    workspace = session.exec(select(Workspace)).one()
    people = {p.external_id: p.id for p in session.exec(select(Person)).all() if p.id}
    communities = {c.external_id: c.id for c in session.exec(select(Community)).all() if c.id}
    assert workspace.id is not None
    return workspace.id, people, communities


async def stats_of(services: Services, community: str) -> CommunityStats:
    def compute(session: Session) -> CommunityStats:
        _, _, communities = ids(session)
        return community_stats(session, communities[community], AS_OF, 5)

    return await services.database.read(compute)


async def test_steady_community(ready: Services) -> None:
    stats = await stats_of(ready, "C1")
    assert stats.members == 15
    assert stats.contributors == WITHHELD  # 6 people, else 15 - 6 - 7 gives the 2 reactors
    assert stats.reactors == HIDDEN  # 2 people
    assert stats.silent == 7
    assert stats.silent_share == pytest.approx(7 / 15)
    assert stats.regulars == HIDDEN  # only U1
    assert stats.weekly_posts == (0, 0, 0, 1, 2, 2, 2, 2, 4, 3, 2, 3)
    assert (stats.active_weeks, stats.rhythm) == (9, "steady")
    assert stats.days_active_ratio == pytest.approx(11 / 28)
    assert (stats.posts, stats.previous_posts, stats.momentum) == (12, 8, pytest.approx(0.5))


async def test_dormant_community(ready: Services) -> None:
    stats = await stats_of(ready, "C2")
    assert stats.members == 6
    assert (stats.active_weeks, stats.rhythm) == (2, "dormant")
    assert stats.weekly_posts == (1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0)
    assert stats.contributors == HIDDEN


async def test_group_below_minimum_hides_everything(ready: Services) -> None:
    stats = await stats_of(ready, "C3")
    hidden = {name: value for name, value in vars(stats).items() if name != "as_of"}
    assert set(hidden.values()) == {HIDDEN}


async def test_membership_as_of_ignores_later_joins(ready: Services) -> None:
    def members_on(session: Session, day: str) -> object:
        _, _, communities = ids(session)
        return community_stats(session, communities["C1"], date.fromisoformat(day), 5).members

    assert await ready.database.read(lambda s: members_on(s, "2026-03-29")) == 15
    assert await ready.database.read(lambda s: members_on(s, "2026-03-30")) == 16
    assert await ready.database.read(lambda s: members_on(s, "2025-12-31")) == HIDDEN


async def test_person_figures_and_the_nine_week_boundary(ready: Services) -> None:
    def both(session: Session) -> tuple[object, object]:
        workspace, people, _ = ids(session)
        return (
            person_stats(session, people["U1"], workspace, AS_OF),
            person_stats(session, people["U2"], workspace, AS_OF),
        )

    u1, u2 = await ready.database.read(both)
    assert (u1.posts, u1.active_weeks, u1.rung, u1.communities_active) == (6, 10, "regular", 3)
    assert u1.days_active_ratio == pytest.approx(4 / 28)
    assert (u2.posts, u2.active_weeks, u2.rung) == (5, 8, "contributor")


async def test_organisation_and_department_ladders(ready: Services) -> None:
    def ladders(session: Session) -> object:
        workspace, _, _ = ids(session)
        return org_ladders(session, workspace, AS_OF, 5)

    org, departments = await ready.database.read(ladders)
    assert org.people == 15  # U16 first appears on 03-30
    assert org.rungs == {
        "observer": 6,
        "reactor": HIDDEN,
        "contributor": WITHHELD,  # 5 people, else the three hidden rungs would add up to 4
        "regular": HIDDEN,
        "animator": HIDDEN,
    }
    assert [(d.group, d.people) for d in departments] == [("Engineering", 8), ("other", 7)]


async def test_top_ranks_by_rhythm_and_breadth(ready: Services) -> None:
    def top(session: Session) -> list[tuple[str, int, int]]:
        workspace, _, _ = ids(session)
        ranked = top_communities(session, workspace, AS_OF, 5)
        return [(c.name, c.active_weeks, c.contributors) for c in ranked]

    assert await ready.database.read(top) == [("garden", 9, 6), ("archive-club", 2, 2)]
