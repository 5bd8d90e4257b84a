"""Ranking: neighbourhood first, deterministic, explained, and open to campaign boosts."""

from __future__ import annotations

from nudges.recommend import Suggestion, recommend
from nudges.recommend.snapshot import Snapshot
from tests.nudges.recommend.world import AS_OF, COOKING, ME, ML, OTHERS, office


def ranked(snapshot: Snapshot, boosts: dict[int, float] | None = None) -> list[Suggestion]:
    return recommend(snapshot, ME, AS_OF, 10, boosts)


def test_where_the_people_one_works_with_are_active_ranks_first() -> None:
    world = office()
    world.members(COOKING, range(20, 60))
    world.posts(COOKING, range(20, 40), range(12))
    found = ranked(world.snapshot())
    assert [s.community for s in found] == [ML, COOKING]
    assert found[0].score > found[1].score > 0


def test_the_same_snapshot_in_any_order_gives_the_same_suggestions() -> None:
    world = office()
    first = ranked(world.snapshot())
    again = ranked(world.snapshot())
    shuffled = [ranked(world.snapshot(shuffle_seed=seed)) for seed in range(5)]
    assert first == again
    for other in shuffled:
        assert other == first


def test_limit_caps_the_list() -> None:
    assert [s.community for s in recommend(office().snapshot(), ME, AS_OF, 1)] == [ML]
    assert recommend(office().snapshot(), ME, AS_OF, 0) == []


def test_a_campaign_boost_can_change_the_ranking_and_says_so() -> None:
    snapshot = office().snapshot()
    boosted = ranked(snapshot, {COOKING: 50.0})
    assert [s.community for s in boosted] == [COOKING, ML]
    assert {"code": "campaign", "value": 50.0} in boosted[0].reasons_data()
    assert all(r["code"] != "campaign" for r in ranked(snapshot)[0].reasons_data())


def test_a_newcomer_with_no_communities_still_gets_the_liveliest() -> None:
    world = office()
    world.joins(COOKING, OTHERS)
    found = recommend(world.snapshot(), 999, AS_OF, 10)
    assert [s.community for s in found][:1] == [COOKING]
    assert {s.community for s in found} >= {ML, COOKING}


def test_growing_and_joining_communities_rank_above_still_ones() -> None:
    world = office()
    world.community(700)
    world.members(700, range(30, 38))
    world.posts(700, range(30, 38), range(12))
    world.joins(700, range(30, 38))
    found = [s.community for s in recommend(world.snapshot(), 999, AS_OF, 10)]
    assert found.index(700) < found.index(COOKING)
