"""Ranking many people at once gives each what ranking them alone gives, as defined."""

from __future__ import annotations

import math
import random

import numpy as np

from nudges.recommend import Snapshot, recommend
from nudges.recommend.model import candidates
from nudges.recommend.rank import members_you_know, model_for, recommend_many, score
from tests.nudges.recommend import reference
from tests.nudges.recommend.world import ALL_WEEKS, AS_OF, World

PEOPLE = range(1, 121)
COMMUNITIES = range(200, 236)


def workspace(seed: int) -> Snapshot:
    """Random memberships, posts on shared days (ties), leavers, dismissals, private,
    archived and still communities, and a few busy days."""
    rng = random.Random(seed)
    world = World()
    for c in COMMUNITIES:
        world.community(c, private=rng.random() < 0.1, archived=rng.random() < 0.05)
        members = rng.sample(PEOPLE, rng.randint(0, 40))
        world.members(c, members)
        if c % 7 == 0:
            world.members(c, rng.sample(PEOPLE, 3), state="left")
        if c % 5 != 0:  # the others stay still: dormant
            for week in ALL_WEEKS:
                world.posts(c, rng.sample(members, min(len(members), rng.randint(0, 6))), [week])
        world.joins(c, rng.sample(PEOPLE, rng.randint(0, 3)), week=rng.randrange(12))
    world.activity += world.activity[::17]  # some rows twice: a crowd counts them twice
    world.dismiss(COMMUNITIES[3])  # person 1
    return world.snapshot()


def test_many_at_once_is_each_alone() -> None:
    snapshot = workspace(1)
    people = [*PEOPLE, 999]  # 999: someone the snapshot does not know
    boosts = [{COMMUNITIES[p % 9]: 2.5} if p % 4 == 0 else None for p in people]
    together = recommend_many(model_for(snapshot, AS_OF), people, 6, boosts)
    for person, boost, found in zip(people, boosts, together, strict=True):
        alone = recommend(snapshot, person, AS_OF, 6, boost)
        assert [(s.community, s.reasons) for s in found] == [
            (s.community, s.reasons) for s in alone
        ]
        assert [s.score for s in found] == [s.score for s in alone]


def test_scores_and_order_follow_the_definition() -> None:
    for seed in (2, 3):
        snapshot = workspace(seed)
        model = model_for(snapshot, AS_OF)
        for person in PEOPLE[::3]:
            expected = reference.scores(model, person)
            pool = candidates(model.index, person)
            found = recommend(snapshot, person, AS_OF, len(pool))
            assert [s.community for s in found] == sorted(pool, key=lambda c: (-expected[c], c))
            for s in found:
                assert math.isclose(s.score, expected[s.community], rel_tol=1e-9)


def test_excluded_communities_give_way_to_the_next_best() -> None:
    snapshot = workspace(4)
    model = model_for(snapshot, AS_OF)
    people = list(PEOPLE)
    firsts = [found[:2] for found in recommend_many(model, people, 2, [None] * len(people))]
    excluded = [{found[0].community} if found else set() for found in firsts]
    after = recommend_many(model, people, 1, [None] * len(people), excluded)
    for found, then in zip(firsts, after, strict=True):
        assert [s.community for s in then] == [s.community for s in found[1:2]]
    assert any(len(found) == 2 for found in firsts)


def test_the_evaluations_scores_are_the_suggestions_scores() -> None:
    """`score`, which the offline evaluation ranks with, orders a person's candidates as
    `recommend_many` and `recommend` do, with the same scores."""
    snapshot = workspace(5)
    model = model_for(snapshot, AS_OF)
    people = list(PEOPLE)
    together = recommend_many(model, people, len(COMMUNITIES), [None] * len(people))
    for person, found in zip(people, together, strict=True):
        pool = candidates(model.index, person)
        scored = [(s.community, s.score) for s in score(model, person, pool)]
        assert scored == [(s.community, s.score) for s in found]
        assert [s.community for s in recommend(snapshot, person, AS_OF, len(pool))] == [
            c for c, _ in scored
        ]


def test_members_you_know_by_bitsets_and_by_join_are_the_definition() -> None:
    for seed in (4, 5):
        model = model_for(workspace(seed), AS_OF)
        index, matrices = model.index, model.matrices
        crowded = {int(c) for c in matrices.communities[matrices.crowded]}
        people = [*PEOPLE, 999]
        pairs = [(p, c) for p in people for c in COMMUNITIES if c in matrices.columns]
        rows = matrices.rows_of([p for p, _ in pairs])
        columns = np.array([matrices.columns[c] for _, c in pairs], dtype=np.int64)
        expected = []
        for person, community in pairs:
            mine = index.communities_of.get(person, set()) - crowded
            known = {q for m in mine for q in index.members[m]} - {person}
            expected.append(len(index.members.get(community, set()) & known))
        assert sum(expected) > 0
        for bitsets_from in (0, 20, 10**9):  # every candidate, the larger ones, none
            found = members_you_know(matrices, rows, columns, bitsets_from=bitsets_from)
            assert found.tolist() == expected
