"""Recall@k, MRR, coverage and the bootstrap interval, and the rolling cutoffs they are
measured at; every baseline on a hand-made export with known answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench.recs.baselines import BASELINES, popularity
from bench.recs.evaluation import (
    METRICS,
    Report,
    Scores,
    bootstrap,
    evaluate,
    open_candidates,
    rolling_cutoffs,
)
from bench.recs.slack_export import Timeline, read_export
from bot.events import CommunityCreated, Event
from nudges.recommend.model import Model, build_index, candidates
from tests.bench.recs.club import CUTOFF, write_club
from tests.nudges.recommend.world import ALL_WEEKS, AS_OF, World
from tests.support.events import WORKSPACE, at, join, leave, post


def test_recall_reciprocal_rank_and_coverage() -> None:
    scores = Scores()
    scores.add([1, 2, 3, 4, 5, 6], {4, 9})
    scores.add([7, 8], {8})
    scores.cover([1])
    scores.cover([])
    assert scores.cases == 2
    assert scores.recall(1) == 0.0
    assert scores.recall(3) == (0 + 1) / 2
    assert scores.recall(5) == (0.5 + 1) / 2
    assert scores.mrr == (1 / 4 + 1 / 2) / 2
    assert scores.coverage == 0.5


def timeline_from(first: str, last: str) -> Timeline:
    events: list[Event] = [
        CommunityCreated(
            platform="slack",
            workspace=WORKSPACE,
            key="created",
            occurred_at=at("2024-01-01"),
            community="C1",
            name="c1",
        ),
        post("U1", "C1", first),
        post("U1", "C1", last),
    ]
    return Timeline(workspace=WORKSPACE, events=events)


def test_cutoffs_keep_only_whole_horizons_within_history_and_bounds() -> None:
    timeline = timeline_from("2025-02-14", "2025-12-01")
    quarters = rolling_cutoffs(timeline, "quarter")
    assert quarters == [datetime(2025, month, 1, tzinfo=UTC) for month in (5, 8)]
    months = rolling_cutoffs(
        timeline,
        "month",
        timedelta(days=30),
        start=datetime(2025, 6, 1, tzinfo=UTC),
        end=datetime(2025, 9, 1, tzinfo=UTC),
    )
    assert months == [datetime(2025, month, 1, tzinfo=UTC) for month in (6, 7, 8)]


def test_the_ranking_that_puts_the_joined_community_first_scores_one() -> None:
    weeks = [(date(2025, 3, 25) - timedelta(weeks=w)).isoformat() for w in range(12)]
    members = {"CA": ("U1", "U2", "U3"), "CB": ("U1", "U2", "U4"), "CC": ("U1",)}
    events: list[Event] = [
        post(person, community, day)
        for community, people in members.items()
        for person in people
        for day in weeks
    ]
    events.append(join("U3", "CB", "2025-05-06"))
    events.sort(key=lambda event: (event.occurred_at, event.key))
    report = evaluate(
        Timeline(workspace=WORKSPACE, events=events),
        {"biggest first": popularity, "smallest first": smallest_first},
        [datetime(2025, 4, 1, tzinfo=UTC)],
    )
    assert report.joins == report.eligible_joins == 1
    biggest, smallest = report.scores["biggest first"], report.scores["smallest first"]
    assert (biggest.recall(1), biggest.recall(3), biggest.mrr) == (1.0, 1.0, 1.0)
    assert (smallest.recall(1), smallest.recall(3), smallest.mrr) == (0.0, 1.0, 0.5)
    assert biggest.people == 4
    assert [part.cutoffs for part in report.per_cutoff] == [report.cutoffs]
    assert (report.ceiling.recall(1), report.ceiling.mrr) == (1.0, 1.0)


def test_the_ceiling_misses_the_joins_no_ranker_may_suggest() -> None:
    """U4 rejoins #cc, which they left (never suggested again), and joins #ca: a ranking
    knowing the future gets #ca first, half of U4's joins, and no more."""
    weeks = [(date(2025, 3, 25) - timedelta(weeks=w)).isoformat() for w in range(12)]
    members = {"CA": ("U1", "U2", "U3"), "CB": ("U1", "U2", "U4"), "CC": ("U1", "U4")}
    events: list[Event] = [
        post(person, community, day)
        for community, people in members.items()
        for person in people
        for day in weeks
    ]
    events += [
        leave("U4", "CC", "2025-03-28"),
        join("U4", "CC", "2025-04-20"),
        join("U4", "CA", "2025-05-06"),
    ]
    events.sort(key=lambda event: (event.occurred_at, event.key))
    report = evaluate(
        Timeline(workspace=WORKSPACE, events=events),
        {"biggest first": popularity, "smallest first": smallest_first},
        [datetime(2025, 4, 1, tzinfo=UTC)],
    )
    assert (report.joins, report.eligible_joins) == (2, 1)
    ceiling = report.ceiling
    assert (ceiling.cases, ceiling.recall(1), ceiling.recall(5), ceiling.mrr) == (1, 0.5, 0.5, 1.0)
    for scores in report.scores.values():
        for metric in METRICS:
            assert scores.mean(metric) <= ceiling.mean(metric)
    assert report.per_cutoff[0].ceiling.values("MRR").tolist() == [1.0]
    opened = evaluate(
        Timeline(workspace=WORKSPACE, events=events),
        {"biggest first": popularity},
        [datetime(2025, 4, 1, tzinfo=UTC)],
        pool_of="open",
    )
    assert (opened.joins, opened.eligible_joins) == (2, 2)  # #cc may be suggested again
    assert (opened.ceiling.recall(1), opened.ceiling.recall(3), opened.ceiling.mrr) == (
        0.5,
        1.0,
        1.0,
    )


def smallest_first(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    return list(reversed(popularity(model, person, pool)))


KNOWN = {
    # ranker: reciprocal rank of my join into #mid, and of U8's into #big
    "popularity (members)": (0.5, 1.0),
    "most active, last 7 days": (1.0, 1.0),
    "karmabot: members × e^(−hours)": (1.0, 1.0),
    "co-membership cosine": (1.0, 0.5),
    "members + ½ co-membership": (1.0, 0.5),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_each_baseline_on_the_hand_made_export(tmp_path: Path, name: str) -> None:
    """Two candidates each: the join ranked first or second, as the baseline's rule says
    (ties to the community with more members: #big's quiet week against #home's)."""
    timeline = read_export(write_club(tmp_path))
    report = evaluate(timeline, {name: BASELINES[name]}, [CUTOFF])
    scores = report.scores[name]
    assert (report.joins, report.eligible_joins, scores.cases) == (2, 2, 2)
    expected = list(KNOWN[name])
    assert scores.values("MRR").tolist() == expected
    assert scores.values("recall@1").tolist() == [1.0 if rr == 1.0 else 0.0 for rr in expected]
    assert scores.recall(3) == 1.0
    assert scores.coverage == 1.0


def test_bootstrap_interval_of_the_difference_to_the_best_baseline() -> None:
    report = Report(scores={"engine": Scores(), "better": Scores(), "worse": Scores()})
    for case in range(40):
        report.scores["engine"].add([1, 2], {1})
        report.scores["better"].add([2, 1] if case % 2 else [1, 2], {1})
        report.scores["worse"].add([2, 1], {1})
    found = bootstrap(report, "engine", ["better", "worse"], "MRR")
    assert found.baseline == "better"
    assert found.difference == pytest.approx(1.0 - 0.75)
    assert 0.0 < found.low < found.difference < found.high <= 0.5
    assert found.ratio == pytest.approx(1.0 / 0.75)
    same = bootstrap(report, "better", ["better"], "recall@1")
    assert (same.difference, same.low, same.high) == (0.0, 0.0, 0.0)


def test_open_candidates_keep_out_only_what_the_issue_keeps_out() -> None:
    """Person 1 is in 1, left 5 and dismissed 6; 2 is dormant, 3 private, 4 archived."""
    world = World()
    for community in range(1, 8):
        world.community(community, private=community == 3, archived=community == 4)
        world.members(community, [2, 3, 4])
        if community != 2:
            world.posts(community, [2, 3], ALL_WEEKS)
    world.members(1, [1])
    world.members(5, [1], state="left")
    world.dismiss(6)
    index = build_index(world.snapshot(), AS_OF)
    assert open_candidates(index, 1) == [2, 5, 7]
    assert candidates(index, 1) == [7]
