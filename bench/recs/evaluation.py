"""Rolling-cutoff evaluation: rank at each cutoff, score against the joins that followed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.recs.baselines import Ranker
from bench.recs.replay import replay
from bench.recs.slack_export import Timeline
from bot.events import MessagePosted
from nudges.recommend.candidates import candidates
from nudges.recommend.rank import model_for

HORIZON = timedelta(days=90)
KS = (3, 5)


@dataclass
class Scores:
    cases: int = 0
    hits: dict[int, float] = field(default_factory=lambda: dict.fromkeys(KS, 0.0))
    reciprocal_ranks: float = 0.0

    def add(self, ranked: Sequence[int], wanted: set[int]) -> None:
        self.cases += 1
        for k in KS:
            self.hits[k] += len(wanted.intersection(ranked[:k])) / len(wanted)
        first = next((rank for rank, c in enumerate(ranked, 1) if c in wanted), None)
        self.reciprocal_ranks += 1.0 / first if first else 0.0

    def absorb(self, other: Scores) -> None:
        self.cases += other.cases
        for k in KS:
            self.hits[k] += other.hits[k]
        self.reciprocal_ranks += other.reciprocal_ranks

    def recall(self, k: int) -> float:
        return self.hits[k] / self.cases if self.cases else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.cases if self.cases else 0.0


@dataclass
class Report:
    cutoffs: list[datetime] = field(default_factory=list)
    joins: int = 0
    eligible_joins: int = 0
    scores: dict[str, Scores] = field(default_factory=dict)

    def absorb(self, other: Report) -> None:
        """Pool another run's cases into this one (cutoffs are not merged)."""
        self.joins += other.joins
        self.eligible_joins += other.eligible_joins
        for name, scores in other.scores.items():
            self.scores.setdefault(name, Scores()).absorb(scores)


def quarterly_cutoffs(timeline: Timeline, months: int = 3) -> list[datetime]:
    """First of the month `months` after the first message, then every `months` months."""
    posted = [event.occurred_at for event in timeline.events if isinstance(event, MessagePosted)]
    if not posted:
        return []
    first, last = posted[0], timeline.events[-1].occurred_at
    cutoff = datetime(first.year, first.month, 1, tzinfo=UTC)
    found: list[datetime] = []
    while True:
        total = cutoff.month - 1 + months
        cutoff = cutoff.replace(year=cutoff.year + total // 12, month=total % 12 + 1)
        if cutoff >= last:
            return found
        found.append(cutoff)


def evaluate(
    timeline: Timeline,
    rankers: Mapping[str, Ranker],
    cutoffs: Sequence[datetime],
    horizon: timedelta = HORIZON,
) -> Report:
    report = Report(cutoffs=list(cutoffs), scores={name: Scores() for name in rankers})
    for cutoff in replay(timeline, cutoffs, horizon):
        model = model_for(cutoff.snapshot, cutoff.snapshot.as_of)
        for person, wanted in sorted(cutoff.targets.items()):
            report.joins += len(wanted)
            pool = candidates(model.index, person)
            report.eligible_joins += len(wanted.intersection(pool))
            for name, ranker in rankers.items():
                report.scores[name].add(ranker(model, person, pool), wanted)
    return report
