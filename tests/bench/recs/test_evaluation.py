"""Recall@k and MRR, and the rolling cutoffs they are measured at."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from bench.recs.baselines import popularity
from bench.recs.evaluation import Scores, evaluate, quarterly_cutoffs
from bench.recs.slack_export import Timeline
from bot.events import CommunityCreated, Event
from nudges.recommend.model import Model
from tests.support.events import WORKSPACE, at, join, post


def test_recall_and_reciprocal_rank() -> None:
    scores = Scores()
    scores.add([1, 2, 3, 4, 5, 6], {4, 9})
    scores.add([7, 8], {8})
    assert scores.cases == 2
    assert scores.recall(3) == (0 + 1) / 2
    assert scores.recall(5) == (0.5 + 1) / 2
    assert scores.mrr == (1 / 4 + 1 / 2) / 2


def test_cutoffs_every_three_months_from_the_first_message() -> None:
    events: list[Event] = [
        CommunityCreated(
            platform="slack",
            workspace=WORKSPACE,
            key="created",
            occurred_at=at("2024-01-01"),
            community="C1",
            name="c1",
        ),
        post("U1", "C1", "2025-02-14"),
        post("U1", "C1", "2025-12-01"),
    ]
    cutoffs = quarterly_cutoffs(Timeline(workspace=WORKSPACE, events=events))
    assert cutoffs == [datetime(2025, month, 1, tzinfo=UTC) for month in (5, 8, 11)]


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
    assert (biggest.recall(3), biggest.mrr) == (1.0, 1.0)
    assert (smallest.recall(3), smallest.mrr) == (1.0, 0.5)


def smallest_first(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    return list(reversed(popularity(model, person, pool)))
