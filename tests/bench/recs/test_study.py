"""The study's signals on the hand-made export, and its learned rankings' time order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from bench.recs.evaluation import HORIZON
from bench.recs.replay import replay
from bench.recs.slack_export import read_export
from bench.recs.study import (
    ENGINE,
    FEATURES,
    Case,
    cases_at,
    column,
    conditional_logit,
    learned,
    logistic,
    measure,
)
from tests.bench.recs.club import BIG, CUTOFF, HOME, ME, MID, write_club

CO_MEMBERS = FEATURES.index("co-occurrence: members")


def test_co_occurrence_is_the_share_of_ones_ties_among_the_members(tmp_path: Path) -> None:
    """I am active beside U2 and U3 in #home, both in #mid, neither in #big; U8 beside
    them in #mid, and both are in #home. Candidates in id order: #big, then #mid."""
    [cutoff] = list(replay(read_export(write_club(tmp_path)), [CUTOFF], HORIZON))
    ids = cutoff.ids
    found = {case.person: case for case in cases_at(cutoff)}
    mine, theirs = found[ids[ME]], found[ids["U8"]]
    assert mine.wanted == {ids[MID]}
    assert theirs.wanted == {ids[BIG]}
    assert dict(zip(mine.pool.tolist(), mine.features[:, CO_MEMBERS], strict=True)) == {
        ids[BIG]: 0.0,
        ids[MID]: 1.0,
    }
    assert dict(zip(theirs.pool.tolist(), theirs.features[:, CO_MEMBERS], strict=True)) == {
        ids[BIG]: 0.0,
        ids[HOME]: 1.0,
    }
    assert mine.features[:, FEATURES.index("members")].tolist() == [np.log1p(4), np.log1p(3)]
    assert mine.features[:, FEATURES.index("live members")].tolist() == [
        np.log1p(4),
        np.log1p(3),
    ]
    # U2 and U3 first posted in #home the day I did, and both are in #mid
    assert mine.features[:, FEATURES.index("join peers in it")].tolist() == [0.0, 1.0]
    # everyone arrived in the first week of January, more than 60 days before
    assert mine.features[:, FEATURES.index("newcomers in it")].tolist() == [0.0, 0.0]


def case(cutoff_days: int, wanted: int) -> Case:
    """Two candidates, 1 and 2; the first feature points at 2, the engine's score at 1."""
    features = np.zeros((2, len(FEATURES)))
    features[:, 0] = [0.0, 1.0]
    features[:, ENGINE] = [1.0, 0.0]
    return Case(
        CUTOFF + timedelta(days=cutoff_days),
        7,
        np.array([1, 2]),
        features,
        np.array([3, 3]),
        frozenset({wanted}),
        1,
    )


def test_learned_weights_come_only_from_cutoffs_whose_horizon_has_ended() -> None:
    """Joins always went where the first feature points. The first cutoff has no ended
    horizon before it and keeps the engine's order, though its own joins would teach
    otherwise; later ones follow what was learned."""
    history = [case(days, 2) for days in range(-30, 400, 30) for _ in range(3)]
    last = CUTOFF + timedelta(days=390)
    for learner in (logistic([0]), conditional_logit([0])):
        first = learned(history, [CUTOFF - timedelta(days=30)], learner)
        assert first.reciprocal_ranks == [0.5] * 3  # the engine: 1 first
        late = learned(history, [last], learner)
        assert late.reciprocal_ranks == [1.0] * 3  # learned: 2 first
    engine = measure(history, [last], column(ENGINE))
    assert engine.reciprocal_ranks == [0.5] * 3


def test_others_joining_counts_the_future_joins_of_everyone_else(tmp_path: Path) -> None:
    """After the cutoff I join #mid of my own accord and U8 #big: for me, one other joins
    #big and nobody else #mid; for U8, nobody else joins #big (mine was an invitation)."""
    [cutoff] = list(replay(read_export(write_club(tmp_path)), [CUTOFF], HORIZON))
    ids = cutoff.ids
    for pool_of in ("engine", "open"):
        found = {case.person: case for case in cases_at(cutoff, pool_of)}
        mine, theirs = found[ids[ME]], found[ids["U8"]]
        future = FEATURES.index("others joining in the horizon")
        assert dict(zip(mine.pool.tolist(), mine.features[:, future], strict=True)) == {
            ids[BIG]: np.log1p(1),
            ids[MID]: 0.0,
        }
        assert dict(zip(theirs.pool.tolist(), theirs.features[:, future], strict=True)) == {
            ids[BIG]: 0.0,
            ids[HOME]: 0.0,
        }
