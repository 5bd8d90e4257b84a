"""Leak tests: what happens after a cutoff never shapes that cutoff's state or rankings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bench.recs.baselines import BASELINES, recommender, seeded_random
from bench.recs.replay import Cutoff, replay
from bench.recs.slack_export import read_export
from nudges.recommend.model import candidates
from nudges.recommend.rank import model_for
from tests.bench.recs.club import BIG, CUTOFF, LATE, ME, MID, write_club

HORIZON = timedelta(days=90)


def cut(root: Path, *, future: bool) -> Cutoff:
    [found] = list(replay(read_export(write_club(root, future=future)), [CUTOFF], HORIZON))
    return found


def test_later_channels_archive_flags_and_memberships_leave_the_cutoff_unchanged(
    tmp_path: Path,
) -> None:
    full, past = cut(tmp_path / "full", future=True), cut(tmp_path / "past", future=False)
    assert LATE not in full.ids
    assert len(full.snapshot.communities) == 3
    assert full.snapshot.communities == past.snapshot.communities
    assert not full.snapshot.communities[full.ids[MID]].is_archived
    assert sorted(full.snapshot.memberships, key=repr) == sorted(
        past.snapshot.memberships, key=repr
    )
    assert sorted(full.snapshot.activity, key=repr) == sorted(past.snapshot.activity, key=repr)
    assert full.present == past.present


def test_every_ranker_ranks_alike_with_or_without_the_future(tmp_path: Path) -> None:
    full, past = cut(tmp_path / "full", future=True), cut(tmp_path / "past", future=False)
    rankers = {"engage": recommender, "random": seeded_random(0), **BASELINES}
    for name, ranker in rankers.items():
        rankings = []
        for found in (full, past):
            model = model_for(found.snapshot, found.snapshot.as_of)
            rankings.append(
                {p: ranker(model, p, candidates(model.index, p)) for p in sorted(found.present)}
            )
        assert rankings[0] == rankings[1], name


def test_the_truth_is_the_own_accord_join_into_a_community_of_the_cutoff(tmp_path: Path) -> None:
    found = cut(tmp_path / "full", future=True)
    ids = found.ids
    assert found.targets == {ids[ME]: {ids[MID]}, ids["U8"]: {ids[BIG]}}
