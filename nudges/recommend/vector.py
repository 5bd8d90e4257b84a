"""Scores of every community for a block of people at once, and the best few of each.

For person p and community c: score = pull[c] * lift * boost, lift = (affinity +
reach[c]) / reach[c] (1 where nobody is in c), and affinity is the walk through p's
communities (attention(p) @ walk), averaged with the walk through the people p is active
beside (their normalised ties @ attention) when p has any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nudges.recommend.matrices import Matrices, Sparse, row_of_each


@dataclass(frozen=True, eq=False)
class Block:
    """One block of people: their rows, ties, and affinities (people x communities)."""

    rows: np.ndarray
    ties: Sparse
    affinity: np.ndarray


def block(matrices: Matrices, rows: np.ndarray) -> Block:
    """Halving is exact in floating point, so (a + b) / 2 is computed as a / 2 + b / 2."""
    ties = _ties(matrices, rows)
    totals = np.asarray(ties.sum(axis=1)).ravel()
    tied = totals > 0
    half = np.where(tied, 0.5, 1.0)
    affinity = np.ascontiguousarray(sp.diags(half) @ matrices.attention[rows] @ matrices.walk)
    if tied.any():
        through_people = sp.csr_matrix(_divide_rows(ties, totals) @ matrices.attention)
        rows_of_each = row_of_each(through_people)
        flat = affinity.reshape(-1)  # a view: the array is contiguous
        flat[rows_of_each * affinity.shape[1] + through_people.indices] += (
            through_people.data * half[rows_of_each]
        )
    return Block(rows, ties, affinity)


def scores(
    matrices: Matrices,
    found: Block,
    rates: np.ndarray,
    boosts: Sequence[Mapping[int, float] | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Lifts, and pull * lift * boost of each community for each person of the block
    (-inf for the communities that may not be suggested to them). Turns the block's
    affinities into its lifts, in place."""
    lifts = found.affinity
    lifts += matrices.reach_or_one
    lifts /= matrices.reach_or_one
    values = lifts * rates
    closed = matrices.closed[found.rows]
    values.reshape(-1)[row_of_each(closed) * values.shape[1] + closed.indices] = -np.inf
    columns = matrices.columns
    for i, boost in enumerate(boosts):
        for community, factor in (boost or {}).items():
            column = columns.get(community)
            if column is not None and np.isfinite(values[i, column]):
                values[i, column] *= factor
    return lifts, values


def best(values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of each row's `limit` best finite values, best first, ties to the
    lower column, rows in order."""
    if limit <= 0 or values.shape[1] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if limit == 1:  # argmax: the first of the highest, so the lowest column on a tie
        cols = np.argmax(values, axis=1)
        rows = np.flatnonzero(values[np.arange(len(values)), cols] > -np.inf)
        return rows, cols[rows]
    limit = min(limit, values.shape[1])
    kth = np.partition(values, values.shape[1] - limit, axis=1)[:, values.shape[1] - limit]
    floor = np.maximum(kth, -np.finfo(np.float64).max)
    rows, cols = np.nonzero(values >= floor[:, None])
    order = np.lexsort((cols, -values[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - starts < limit
    return rows[keep], cols[keep]


def _divide_rows(matrix: Sparse, totals: np.ndarray) -> Sparse:
    divided = matrix.copy()
    divided.data /= totals[row_of_each(matrix)]
    return divided


def _ties(matrices: Matrices, rows: np.ndarray) -> Sparse:
    """Weights of the people each person was active beside, themselves aside."""
    found = sp.csr_matrix(matrices.cells[rows] @ matrices.meet).tocoo()
    keep = found.col != rows[found.row]
    return sp.csr_matrix((found.data[keep], (found.row[keep], found.col[keep])), shape=found.shape)
