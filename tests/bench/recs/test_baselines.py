"""Each baseline orders the office's candidates the way its definition says."""

from __future__ import annotations

from bench.recs.baselines import (
    active_last_week,
    co_membership,
    karmabot,
    popularity,
    seeded_random,
)
from nudges.recommend.model import prepare
from tests.nudges.recommend.world import AS_OF, COOKING, ME, ML, TEAM, office

POOL = [ML, COOKING]


def test_popularity_puts_the_most_members_first() -> None:
    assert popularity(prepare(office().snapshot(), AS_OF), ME, POOL) == [COOKING, ML]


def test_co_membership_follows_the_people_of_ones_communities() -> None:
    assert co_membership(prepare(office().snapshot(), AS_OF), ME, POOL) == [ML, COOKING]


def test_last_week_and_karmabot_follow_recent_posts() -> None:
    world = office()
    world.activity = [row for row in world.activity if row.community != ML or row.day.month < 2]
    world.posts(ML, TEAM, [0])
    world.activity = [
        row for row in world.activity if row.community != COOKING or row.day.month != 2
    ]
    model = prepare(world.snapshot(), AS_OF)
    assert active_last_week(model, ME, POOL) == [ML, COOKING]
    assert karmabot(model, ME, POOL) == [ML, COOKING]


def test_random_is_seeded() -> None:
    model = prepare(office().snapshot(), AS_OF)
    pool = list(range(100, 130))
    assert seeded_random(1)(model, ME, pool) == seeded_random(1)(model, ME, pool)
    assert seeded_random(1)(model, ME, pool) != seeded_random(2)(model, ME, pool)
