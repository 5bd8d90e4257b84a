"""Rolling-cutoff evaluation: rank at each cutoff, score against the joins that followed.

Each case is one person at one cutoff with at least one join in the horizon; its figures
are recall@k (share of their joins in the first k) and the reciprocal rank of the first
join. Coverage is over every person present at the cutoff: the share given any suggestion.
The ceiling is what a ranking that knew the future would score over the same candidates
(their joins first): joins into communities that may not be suggested are missed by all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np

from bench.recs.baselines import Ranker
from bench.recs.replay import replay
from bench.recs.slack_export import Timeline
from bot.events import MessagePosted
from nudges.recommend.model import Index, candidates
from nudges.recommend.rank import model_for

HORIZON = timedelta(days=90)
KS = (1, 3, 5)
METRICS = (*(f"recall@{k}" for k in KS), "MRR")
Every = Literal["month", "quarter"]
Candidates = Literal["engine", "open"]
MONTHS: dict[str, int] = {"month": 1, "quarter": 3}


@dataclass
class Scores:
    recalls: dict[int, list[float]] = field(default_factory=lambda: {k: [] for k in KS})
    reciprocal_ranks: list[float] = field(default_factory=list)
    people: int = 0
    covered: int = 0

    def add(self, ranked: Sequence[int], wanted: set[int]) -> None:
        for k in KS:
            self.recalls[k].append(len(wanted.intersection(ranked[:k])) / len(wanted))
        first = next((rank for rank, c in enumerate(ranked, 1) if c in wanted), None)
        self.reciprocal_ranks.append(1.0 / first if first else 0.0)

    def cover(self, ranked: Sequence[int]) -> None:
        self.people += 1
        self.covered += bool(ranked)

    def absorb(self, other: Scores) -> None:
        for k in KS:
            self.recalls[k] += other.recalls[k]
        self.reciprocal_ranks += other.reciprocal_ranks
        self.people += other.people
        self.covered += other.covered

    @property
    def cases(self) -> int:
        return len(self.reciprocal_ranks)

    def values(self, metric: str) -> np.ndarray:
        """Each case's figure for `metric` (one of `METRICS`), in case order."""
        found = self.reciprocal_ranks if metric == "MRR" else self.recalls[int(metric[7:])]
        return np.array(found, dtype=np.float64)

    def mean(self, metric: str) -> float:
        return float(self.values(metric).mean()) if self.cases else 0.0

    def recall(self, k: int) -> float:
        return self.mean(f"recall@{k}")

    @property
    def mrr(self) -> float:
        return self.mean("MRR")

    @property
    def coverage(self) -> float:
        return self.covered / self.people if self.people else 0.0


def mean_of(runs: Sequence[Scores]) -> Scores:
    """Case by case mean of runs over the same cases (seeded random rankings)."""
    mean = Scores(people=runs[0].people, covered=runs[0].covered)
    for k in KS:
        mean.recalls[k] = np.mean([run.recalls[k] for run in runs], axis=0).tolist()
    mean.reciprocal_ranks = np.mean([run.reciprocal_ranks for run in runs], axis=0).tolist()
    return mean


@dataclass
class Report:
    cutoffs: list[datetime] = field(default_factory=list)
    joins: int = 0
    eligible_joins: int = 0
    scores: dict[str, Scores] = field(default_factory=dict)
    per_cutoff: list[Report] = field(default_factory=list)
    ceiling: Scores = field(default_factory=Scores)
    """The joins among the candidates ranked first: the most any ranker can score."""

    def absorb(self, other: Report) -> None:
        """Pool another run's cases into this one."""
        self.cutoffs += other.cutoffs
        self.joins += other.joins
        self.eligible_joins += other.eligible_joins
        for name, scores in other.scores.items():
            self.scores.setdefault(name, Scores()).absorb(scores)
        self.ceiling.absorb(other.ceiling)
        self.per_cutoff += other.per_cutoff


@dataclass(frozen=True)
class Interval:
    metric: str
    ranker: str
    baseline: str
    difference: float
    low: float
    high: float
    ratio: float
    ratio_low: float
    ratio_high: float


def bootstrap(
    report: Report,
    ranker: str,
    baselines: Sequence[str],
    metric: str,
    resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """The pooled difference (and ratio) of `ranker` to the best of `baselines` on
    `metric`, with a paired percentile bootstrap 95% interval over cases."""
    best = max(baselines, key=lambda name: (report.scores[name].mean(metric), name))
    mine, theirs = report.scores[ranker].values(metric), report.scores[best].values(metric)
    draws = np.random.default_rng(seed).integers(0, len(mine), (resamples, len(mine)))
    ours, others = mine[draws].mean(axis=1), theirs[draws].mean(axis=1)
    ratios = ours / np.where(others > 0, others, np.nan)
    low, high = np.percentile(ours - others, [2.5, 97.5])
    ratio_low, ratio_high = np.nanpercentile(ratios, [2.5, 97.5])
    base = float(theirs.mean())
    return Interval(
        metric,
        ranker,
        best,
        float(mine.mean() - base),
        float(low),
        float(high),
        float(mine.mean() / base) if base else float("inf"),
        float(ratio_low),
        float(ratio_high),
    )


def open_candidates(index: Index, person: int) -> list[int]:
    """The issue's exclusions only: public, not archived, not one the person is in or
    dismissed (dormant communities and those the person left are in)."""
    excluded = index.communities_of.get(person, set()) | index.dismissed.get(person, set())
    return sorted(
        c
        for c, info in index.communities.items()
        if not info.is_private and not info.is_archived and c not in excluded
    )


POOLS: dict[Candidates, Callable[[Index, int], list[int]]] = {
    "engine": candidates,
    "open": open_candidates,
}
"""The candidates every ranker ranks: the engine's own, or open ones (where the engine
ranks by its pull x lift too, the dormant and left communities included)."""


def rolling_cutoffs(
    timeline: Timeline,
    every: Every = "quarter",
    horizon: timedelta = HORIZON,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[datetime]:
    """First days of months, every month or quarter from the month after the first
    message, whose whole horizon lies within the history (and within `start`..`end`)."""
    posted = [event.occurred_at for event in timeline.events if isinstance(event, MessagePosted)]
    if not posted:
        return []
    last = timeline.events[-1].occurred_at
    history_end = datetime.combine(last.date() + timedelta(days=1), datetime.min.time(), UTC)
    until = min(end, history_end) if end is not None else history_end
    step = MONTHS[every]
    cutoff = datetime(posted[0].year, posted[0].month, 1, tzinfo=UTC)
    found: list[datetime] = []
    while True:
        total = cutoff.month - 1 + step
        cutoff = cutoff.replace(year=cutoff.year + total // 12, month=total % 12 + 1)
        if cutoff + horizon > until:
            return found
        if start is None or cutoff >= start:
            found.append(cutoff)


def evaluate(
    timeline: Timeline,
    rankers: Mapping[str, Ranker],
    cutoffs: Sequence[datetime],
    horizon: timedelta = HORIZON,
    pool_of: Candidates = "engine",
) -> Report:
    report = Report()
    candidates_of = POOLS[pool_of]
    for cutoff in replay(timeline, cutoffs, horizon):
        model = model_for(cutoff.snapshot, cutoff.snapshot.as_of)
        part = Report(cutoffs=[cutoff.snapshot.as_of], scores={n: Scores() for n in rankers})
        for person in sorted(cutoff.present):
            pool = candidates_of(model.index, person)
            wanted = cutoff.targets.get(person)
            if wanted:
                part.joins += len(wanted)
                part.eligible_joins += len(wanted.intersection(pool))
                foreseen = sorted(pool, key=lambda c: c not in wanted)
                part.ceiling.cover(foreseen)
                part.ceiling.add(foreseen, wanted)
            for name, ranker in rankers.items():
                ranked = ranker(model, person, pool)
                part.scores[name].cover(ranked)
                if wanted:
                    part.scores[name].add(ranked, wanted)
        report.absorb(part)
        report.per_cutoff.append(part)
    return report
