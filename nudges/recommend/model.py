"""What the ranking needs about every community, computed once per snapshot and date.

- `walk`: P(community c | community m), a step through m's members to where they spend
  their attention (edges weigh 1 for being in, plus log(1 + actions) in the window).
- `reach`: each community's share of all edges, where walks settle for anyone: the
  baseline a person's affinity is compared with.
  (Both are in `matrices`, with ties and candidates, to rank many people at once.)
- `pull`: how strongly a community draws people: the square root of its members, plus one,
  plus those who joined in the last 28 days (counted twice: a community recruiting now
  is likelier to recruit again); the root, because the fiftieth member draws less than
  the fifth, and it leaves the person's lift the larger say. Replayed on a real
  organisation's history, members predicted the next joins better than any measure of
  activity (messages, active weeks, momentum); see docs/RECOMMENDER.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from nudges.recommend.index import Index, build_index
from nudges.recommend.matrices import Matrices, build
from nudges.recommend.snapshot import Snapshot


@dataclass(frozen=True, eq=False)
class Model:
    index: Index
    matrices: Matrices
    """The walk, reach, ties and candidates as matrices (`nudges.recommend.matrices`)."""
    pull: Mapping[int, float]
    rates: np.ndarray
    """`pull` in the matrices' column order; -inf for communities nobody may be
    suggested (private, archived, dormant), so that their scores are -inf too."""


def prepare(snapshot: Snapshot, as_of: datetime) -> Model:
    index = build_index(snapshot, as_of)
    matrices = build(index)
    pulls = pull(index)
    rates = np.array([pulls[int(c)] for c in matrices.communities], dtype=np.float64)
    rates[~matrices.open] = -np.inf
    return Model(index, matrices, pulls, rates)


def pull(index: Index) -> dict[int, float]:
    members, joined = index.members, index.recent_joins
    return {c: math.sqrt(len(members.get(c, ())) + 1 + joined.get(c, 0)) for c in index.communities}
