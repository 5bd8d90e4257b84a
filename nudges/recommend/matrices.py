"""The index as sparse matrices, so that many people are ranked at once.

Rows are people (plus one empty row, `nobody`, for people the snapshot does not know),
columns are communities in id order, so a stable order over columns is the order by id.

- `edges`: 1 + log(1 + actions) for each membership; `attention` is it row-normalised.
- `walk`: P(community c | community m), dense (communities x communities).
- `cells`: person x community-day, for days with 2..MAX_CROWD people active (repeats
  counted); `meet` is its transpose with each cell weighed 1 / (crowd - 1): ties are
  `cells @ meet`, the diagonal aside.
- `closed`: communities a person is in, has left, or has dismissed.
- `contributors`: who posted in a community in the last 28 days.
- `members`: `edges` by column (CSC): each community's member rows, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp

from nudges.recommend.index import Index

MAX_CROWD = 100  # on busier community-days, being active together says nothing about ties
Sparse: TypeAlias = Any
"""A `scipy.sparse.csr_matrix` (or CSC): scipy ships no type hints."""


@dataclass(frozen=True, eq=False)
class Matrices:
    rows: dict[int, int]
    communities: np.ndarray
    columns: dict[int, int]
    attention: Sparse
    walk: np.ndarray
    reach: np.ndarray
    reach_or_one: np.ndarray
    """`reach`, and 1 where it is 0: (0 + 1) / 1 is the lift of a community nobody is in."""
    cells: Sparse
    meet: Sparse
    closed: Sparse
    contributors: Sparse
    members: Sparse
    open: np.ndarray
    """Public, not archived, not dormant: may be suggested to someone."""
    crowded: np.ndarray

    @property
    def nobody(self) -> int:
        return len(self.rows)

    def rows_of(self, people: Iterable[int]) -> np.ndarray:
        nobody = self.nobody
        return np.fromiter((self.rows.get(p, nobody) for p in people), dtype=np.int64)


def build(index: Index) -> Matrices:
    people = sorted(
        set(index.communities_of) | set(index.actions) | set(index.left)
        | set(index.dismissed) | set().union(*index.recent_contributors.values())
    )  # fmt: skip
    rows = {p: r for r, p in enumerate(people)}
    shape_rows = len(people) + 1
    ids = np.array(sorted(index.communities), dtype=np.int64)
    cols = {int(c): i for i, c in enumerate(ids)}
    shape = (shape_rows, len(ids))
    edges = _edges(index, rows, cols, shape)
    size = np.asarray(edges.sum(axis=0)).ravel()
    total = size.sum()
    reach = size / total if total else np.zeros(len(ids))
    attention = _normalise(edges)
    walk = np.ascontiguousarray((edges.T @ attention).toarray())  # sparse @ walk ravels it
    np.fill_diagonal(walk, 0.0)
    walk *= _inverse(size)[:, None]
    cells, meet = _cells(index, rows, shape_rows)
    closed = _pairs(
        ((rows[p], cols[c]) for kind in (index.communities_of, index.left, index.dismissed)
         for p, cs in kind.items() for c in cs if c in cols),
        shape,
    )  # fmt: skip
    contributors = _pairs(
        ((rows[p], cols[c]) for c, ps in index.recent_contributors.items() for p in ps), shape
    )
    member_count = len(index.communities_of)
    open_ = np.array(
        [
            not (info.is_private or info.is_archived or index.rhythm[c].dormant)
            for c, info in sorted(index.communities.items())
        ],
        dtype=bool,
    ).reshape(len(ids))
    members = sp.csc_matrix(edges)
    members.sort_indices()
    crowded = np.array(
        [2 * len(index.members.get(int(c), ())) > member_count for c in ids], dtype=bool
    ).reshape(len(ids))
    return Matrices(
        rows,
        ids,
        cols,
        attention,
        walk,
        reach,
        np.where(reach > 0, reach, 1.0),
        cells,
        meet,
        closed,
        contributors,
        sp.csc_matrix(edges),
        open_,
        crowded,
    )


def _edges(
    index: Index, rows: dict[int, int], cols: dict[int, int], shape: tuple[int, int]
) -> Sparse:
    r: list[int] = []
    c: list[int] = []
    w: list[int] = []
    nothing: Mapping[int, int] = {}
    for person, communities in index.communities_of.items():
        counts = index.actions.get(person, nothing)
        r += [rows[person]] * len(communities)
        c += [cols[community] for community in communities]
        w += [counts.get(community, 0) for community in communities]
    weights = 1.0 + np.log1p(np.array(w, dtype=np.float64))
    return sp.csr_matrix((weights, (r, c)), shape=shape)


def _normalise(matrix: Sparse) -> Sparse:
    """Each row divided by its sum (rows summing to 0 stay empty)."""
    normalised = sp.csr_matrix(matrix, copy=True)
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    normalised.data /= totals[row_of_each(matrix)]
    return normalised


def row_of_each(matrix: Sparse) -> np.ndarray:
    """The row of each stored value of a CSR matrix."""
    return np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))


def _inverse(values: np.ndarray) -> np.ndarray:
    """1 / values, and 0 where a value is 0."""
    found = np.zeros_like(values, dtype=np.float64)
    np.divide(1.0, values, out=found, where=values > 0)
    return found


def _cells(index: Index, rows: dict[int, int], shape_rows: int) -> tuple[Sparse, Sparse]:
    r: list[int] = []
    k: list[int] = []
    weight: list[float] = []
    for crowd in index.cell_people.values():
        if 1 < len(crowd) <= MAX_CROWD:
            cell = len(weight)
            weight.append(1.0 / (len(crowd) - 1))
            r += [rows[p] for p in crowd]
            k += [cell] * len(crowd)
    ones = np.ones(len(r))
    cells = sp.csr_matrix((ones, (r, k)), shape=(shape_rows, len(weight)))
    meet = sp.csr_matrix(sp.diags(np.array(weight)) @ cells.T)
    return cells, meet


def _pairs(found: Iterable[tuple[int, int]], shape: tuple[int, int]) -> Sparse:
    pairs = np.array(list(found), dtype=np.int64).reshape(-1, 2)
    matrix = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=shape)
    matrix.data[:] = 1.0  # repeats count once
    return matrix
