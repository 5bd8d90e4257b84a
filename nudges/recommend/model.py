"""What the ranking needs about every community, computed once per snapshot and date.

- `walk`: P(community c | community m), a step through m's members to where they spend
  their attention (edges weigh 1 for being in, plus log(1 + actions) in the window).
- `reach`: each community's share of all edges, where walks settle for anyone: the
  baseline a person's affinity is compared with.
- `join_rate`: expected joins per day: the joins seen in the window, shrunk toward a prior
  with the weight of one window of observation. The prior spreads the workspace's joins
  over communities by the mean of their shares of members, of messages in the last 28
  days, and of active weeks (rhythm): no weight to tune, each indicator counts alike.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from nudges.recommend.index import Index, build_index
from nudges.recommend.snapshot import Snapshot, counted_days


@dataclass(frozen=True, eq=False)
class Model:
    index: Index
    walk: Mapping[int, Mapping[int, float]]
    reach: Mapping[int, float]
    join_rate: Mapping[int, float]
    crowded: frozenset[int]
    """Communities holding more than half the people: sharing one says little."""


def prepare(snapshot: Snapshot, as_of: datetime) -> Model:
    index = build_index(snapshot, as_of)
    people = len(index.communities_of)
    crowded = frozenset(c for c, members in index.members.items() if 2 * len(members) > people)
    size = {c: sum(edge(index, q, c) for q in members) for c, members in index.members.items()}
    total = sum(size.values())
    reach = {c: weight / total for c, weight in size.items()} if total else {}
    return Model(index, _walk(index, size), reach, _join_rates(index), crowded)


def edge(index: Index, person: int, community: int) -> float:
    counts = index.actions.get(person)
    return 1.0 + math.log1p(counts.get(community, 0) if counts else 0)


def attention(index: Index, person: int) -> dict[int, float]:
    """P(community | person): where a person spends their attention."""
    weights = {c: edge(index, person, c) for c in index.communities_of.get(person, ())}
    total = sum(weights.values())
    return {c: weight / total for c, weight in weights.items()}


def _walk(index: Index, size: Mapping[int, float]) -> dict[int, dict[int, float]]:
    walk: defaultdict[int, defaultdict[int, float]] = defaultdict(lambda: defaultdict(float))
    for person in index.communities_of:
        onward = attention(index, person)
        for m in onward:
            via = edge(index, person, m) / size[m]
            row = walk[m]
            for c, p_c in onward.items():
                if c != m:
                    row[c] += via * p_c
    return {m: dict(row) for m, row in walk.items()}


def _join_rates(index: Index) -> dict[int, float]:
    first, last = counted_days(index.as_of)
    window = (last - first).days + 1
    indicators: list[dict[int, float]] = [
        {c: float(len(index.members.get(c, ()))) for c in index.communities},
        {c: float(r.recent_messages) for c, r in index.rhythm.items()},
        {c: r.active_weeks / r.observed_weeks for c, r in index.rhythm.items()},
    ]
    joins = max(sum(index.window_joins.values()), 1)
    totals = [sum(indicator.values()) for indicator in indicators]
    rates: dict[int, float] = {}
    for c, info in index.communities.items():
        prior = sum(
            joins * indicator[c] / total
            for indicator, total in zip(indicators, totals, strict=True)
            if total
        ) / len(indicators)
        observed = window
        if info.created_at is not None:
            observed = max(1, min(window, (last - info.created_at.date()).days + 1))
        rates[c] = (index.window_joins.get(c, 0) + prior) / (observed + window)
    return rates
