"""The counts behind social reasons, for chosen (person, community) pairs of a block.

- colleagues active: people the person is active beside (their ties) who posted in the
  community in the last 28 days;
- members you know: members of the community who share a community with the person,
  communities holding more than half the people aside.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nudges.recommend.matrices import Matrices, row_of_each
from nudges.recommend.vector import Block


def colleagues_active(
    matrices: Matrices, found: Block, pairs: np.ndarray, columns: np.ndarray
) -> np.ndarray:
    """For pair k: ties of block row pairs[k] who contributed in community columns[k]."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    ties = found.ties[pairs]
    ties.data[:] = 1.0
    reached = sp.csr_matrix(ties @ matrices.contributors).tocoo()
    here = reached.col == columns[reached.row]
    counts = np.bincount(reached.row[here], weights=reached.data[here], minlength=len(pairs))
    return np.rint(counts).astype(np.int64)


def members_you_know(matrices: Matrices, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """For pair k: members of community columns[k] sharing a community with person rows[k].

    Pairs are taken by community: for community c, each community m of the people asking
    becomes a bitset over c's members only (those also in m), so a person's count is the
    popcount of the union of their communities' bitsets.
    """
    result = np.zeros(len(rows), dtype=np.int64)
    order = np.argsort(columns, kind="stable")
    bounds = np.flatnonzero(np.diff(columns[order])) + 1
    for group in np.split(order, bounds) if len(order) else ():
        result[group] = _known(matrices, rows[group], int(columns[group[0]]))
    return result


def _known(matrices: Matrices, rows: np.ndarray, column: int) -> np.ndarray:
    members = matrices.members.indices[
        matrices.members.indptr[column] : matrices.members.indptr[column + 1]
    ]
    mine = matrices.attention[rows]
    wanted = np.zeros(matrices.attention.shape[1], dtype=bool)
    wanted[mine.indices] = True
    wanted &= ~matrices.crowded
    slot = np.cumsum(wanted) - 1
    theirs = matrices.attention[members]
    position = row_of_each(theirs)
    shared = wanted[theirs.indices]
    bits = np.zeros((int(wanted.sum()), (len(members) + 63) // 64), dtype=np.uint64)
    np.bitwise_or.at(
        bits,
        (slot[theirs.indices[shared]], position[shared] >> 6),
        np.left_shift(np.uint64(1), (position[shared] & 63).astype(np.uint64)),
    )
    keep = wanted[mine.indices]
    owners = row_of_each(mine)[keep]
    chosen = slot[mine.indices[keep]]
    rank = np.arange(len(owners)) - np.searchsorted(owners, owners)
    union = np.zeros((len(rows), bits.shape[1]), dtype=np.uint64)
    for nth in range(int(rank.max(initial=-1)) + 1):  # each person's nth community at once
        taken = rank == nth
        union[owners[taken]] |= bits[chosen[taken]]
    known: np.ndarray = np.bitwise_count(union).sum(axis=1, dtype=np.int64)
    at = np.searchsorted(members, rows)
    inside = (at < len(members)) & (members[np.minimum(at, len(members) - 1)] == rows)
    for i in np.flatnonzero(inside):  # the person is not someone they know
        word, bit = at[i] >> 6, np.uint64(at[i] & 63)
        known[i] -= int((union[i, word] >> bit) & np.uint64(1))
    return known
