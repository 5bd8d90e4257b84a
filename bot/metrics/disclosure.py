"""Complementary suppression: hide enough other cells that no hidden count follows from the rest.

A table is a set of counts and the sums that tie them (a group's people are the sum of its
rungs; the organisation's rung is the sum of the departments'). A count under the minimum
group is hidden; that is not enough when it is the only hidden part of a published sum, since
subtraction gives it back. So, while some hidden count is determined by the published counts
and the sums, or the hidden parts of a published total add up to fewer than the minimum
(their sum would describe a small group), the smallest published count of that sum is hidden
too. A count of 0 describes nobody: it is hidden like any small count, but may be deduced.

"Determined" is linear algebra, not a pattern: with the published counts known, the hidden ones
are the unknowns of the sums; one of them follows from the rest exactly when it does not move
along any direction of the null space of those sums restricted to the unknowns.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from bot.metrics.figures import Count, Suppressed

Key = TypeVar("Key", bound=Hashable)
_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Sum(Generic[Key]):
    """`total` is the sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]


def protect(
    cells: Mapping[Key, int],
    sums: Iterable[Sum[Key]],
    minimum: int,
    unpublished: Iterable[Key] = (),
) -> dict[Key, Count]:
    """Each cell as shown: its count, or Suppressed when it is under the minimum (or
    unpublished) or when it had to be hidden so that no hidden count can be deduced."""
    keys = list(cells)
    index = {key: position for position, key in enumerate(keys)}
    sums = [item for item in sums if item.parts]
    matrix = np.zeros((len(sums), len(keys)))
    for row, item in enumerate(sums):
        for part in item.parts:
            matrix[row, index[part]] += 1.0
        matrix[row, index[item.total]] -= 1.0
    never = set(unpublished)
    small = {key for key in keys if cells[key] < minimum or key in never}
    hidden = set(small)
    while True:
        exposed = [
            column
            for column in _determined(matrix, [index[key] for key in keys if key in hidden])
            if cells[keys[column]] > 0
        ]
        if exposed:
            around = [item for item in sums if keys[exposed[0]] in (item.total, *item.parts)]
        else:
            around = [item for item in sums if _small_remainder(item, cells, hidden, minimum)][:1]
        if not around:
            break
        partners = [
            key for item in around for key in (item.total, *item.parts) if key not in hidden
        ]
        if not partners:  # cannot happen: what is exposed is exposed by something published
            raise AssertionError(f"{around[0]!r} has nothing left to hide")
        hidden.add(min(partners, key=lambda key: (cells[key], index[key])))
    return {
        key: (Suppressed(minimum, complementary=key not in small) if key in hidden else cells[key])
        for key in keys
    }


def _small_remainder(
    item: Sum[Key], cells: Mapping[Key, int], hidden: set[Key], minimum: int
) -> bool:
    """A published total minus its published parts gives the hidden parts' sum: it must not
    describe a small group either (0 would give every hidden part away)."""
    if item.total in hidden:
        return False
    rest = [part for part in item.parts if part in hidden]
    return 0 < sum(cells[part] for part in rest) < minimum


def _determined(matrix: np.ndarray, hidden: Sequence[int]) -> list[int]:
    """The hidden columns whose value follows from the sums and the published columns."""
    if not hidden or matrix.shape[0] == 0:
        return []
    unknowns = matrix[:, hidden]
    _, singular, rows = np.linalg.svd(unknowns)
    rank = int((singular > _TOLERANCE * max(1.0, float(singular.max(initial=0.0)))).sum())
    free = rows[rank:]
    moving = np.abs(free).max(axis=0, initial=0.0) if free.size else np.zeros(len(hidden))
    return [column for column, move in zip(hidden, moving, strict=True) if move <= 1e-7]
