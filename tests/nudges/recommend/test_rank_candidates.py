"""Only public, live, not dormant communities the person is not in, left or dismissed."""

from __future__ import annotations

from datetime import timedelta

from nudges.recommend import Snapshot, recommend
from tests.nudges.recommend.world import AS_OF, COOKING, ME, ML, TEAM, office


def suggested(snapshot: Snapshot, limit: int = 20) -> list[int]:
    return [s.community for s in recommend(snapshot, ME, AS_OF, limit)]


def test_the_office_suggests_only_what_the_person_is_not_in() -> None:
    assert suggested(office().snapshot()) == [ML, COOKING]


def test_private_archived_followed_and_left_communities_are_never_suggested() -> None:
    world = office()
    for community, options in ((200, {"private": True}), (201, {"archived": True})):
        world.community(community, **options)
        world.members(community, TEAM)
        world.posts(community, TEAM, range(12))
    for community, state in ((202, "follower"), (203, "member"), (204, "left")):
        world.community(community)
        world.members(community, TEAM)
        world.members(community, (ME,), state=state)
        world.posts(community, TEAM, range(12))
    assert suggested(world.snapshot()) == [ML, COOKING]


def test_dismissed_communities_come_back_only_when_not_now_has_expired() -> None:
    world = office()
    world.dismiss(ML)
    assert suggested(world.snapshot()) == [COOKING]
    world = office()
    world.dismiss(ML, until=AS_OF + timedelta(days=1))
    assert suggested(world.snapshot()) == [COOKING]
    world = office()
    world.dismiss(ML, until=AS_OF - timedelta(days=1))
    assert suggested(world.snapshot()) == [ML, COOKING]


def test_dormant_is_three_active_weeks_of_twelve_or_fewer() -> None:
    world = office()
    world.community(300)
    world.members(300, TEAM)
    world.posts(300, TEAM[:1], range(3))
    world.community(301)
    world.members(301, TEAM)
    world.posts(301, TEAM[:1], range(4))
    found = suggested(world.snapshot())
    assert 300 not in found
    assert 301 in found


def test_activity_older_than_twelve_weeks_does_not_count() -> None:
    world = office()
    world.community(400)
    world.members(400, TEAM)
    world.posts(400, TEAM, range(12, 30))
    assert 400 not in suggested(world.snapshot())


def test_a_young_lively_community_is_not_dormant() -> None:
    world = office()
    world.community(500, age_days=12)
    world.members(500, TEAM)
    world.posts(500, TEAM, range(2))
    assert 500 in suggested(world.snapshot())


def test_communities_created_after_as_of_do_not_exist_yet() -> None:
    world = office()
    world.community(600, age_days=-3)
    world.members(600, TEAM)
    assert 600 not in suggested(world.snapshot())
