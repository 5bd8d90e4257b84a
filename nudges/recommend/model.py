"""What the ranking needs about every community, computed once per snapshot and date.

- `walk`: P(community c | community m), a step through m's members to where they spend
  their attention (edges weigh 1 for being in, plus log(1 + actions) in the window).
- `reach`: each community's share of all edges, where walks settle for anyone: the
  baseline a person's affinity is compared with.
  (Both are in `matrices`, with ties and candidates, to rank many people at once.)
- `join_rate`: expected joins per day: the joins seen in the window, shrunk toward a prior
  with the weight of one window of observation. The prior spreads the workspace's joins
  over communities by the mean of their shares of members, of messages in the last 28
  days, and of active weeks (rhythm): no weight to tune, each indicator counts alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from nudges.recommend.index import Index, build_index
from nudges.recommend.matrices import Matrices, build
from nudges.recommend.snapshot import Snapshot, counted_days


@dataclass(frozen=True, eq=False)
class Model:
    index: Index
    matrices: Matrices
    """The walk, reach, ties and candidates as matrices (`nudges.recommend.matrices`)."""
    join_rate: Mapping[int, float]
    rates: np.ndarray
    """`join_rate` in the matrices' column order; -inf for communities nobody may be
    suggested (private, archived, dormant), so that their scores are -inf too."""


def prepare(snapshot: Snapshot, as_of: datetime) -> Model:
    index = build_index(snapshot, as_of)
    matrices = build(index)
    join_rate = _join_rates(index)
    rates = np.array([join_rate[int(c)] for c in matrices.communities], dtype=np.float64)
    rates[~matrices.open] = -np.inf
    return Model(index, matrices, join_rate, rates)


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
