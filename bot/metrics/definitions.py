"""What every figure means, in one place: the product's metric definitions (see the README).

- Time frames: W is the `WINDOW_DAYS` (28) days ending at `as_of`, both ends included;
  weeks are ISO weeks, and "the last 12 weeks" (`WEEKS`) are the ISO week holding `as_of`
  and the 11 before it. `RHYTHM_SPAN_DAYS` (84) is how far back those twelve weeks reach.
- Thresholds: a regular posted in at least `STEADY_WEEKS` (9) of the 12 weeks; a community's
  rhythm is steady from 9 active weeks, intermittent from `INTERMITTENT_WEEKS` (4), dormant
  below (see `rhythm`, and `observed_weeks` for a community younger than 12 weeks).
- Momentum: posts in W against the W before it (`momentum`); the recommender ranks on the
  same two counts, smoothed (`smoothed_growth`).
- The engagement ladder: each person's highest rung in W, one of `RUNGS`; in SQL a rung is
  its index (`RUNG_CODES`).
- Disclosure: a figure over fewer than the minimum group of people is `Suppressed`; so is
  any count that could be deduced from the shown ones by subtraction (`protect`).

Complementary suppression (`protect`): a table is a set of counts and the sums that tie
them (a group's people are the sum of its rungs; the organisation's rung is the sum of the
departments'). A count under the minimum group is hidden; that is not enough when it is the
only hidden part of a published sum, since subtraction gives it back. So, while some hidden
count is determined by the published counts and the sums, or the hidden parts of a
published total add up to fewer than the minimum (their sum would describe a small group),
the smallest published count of that sum is hidden too. A count of 0 describes nobody: it
is hidden like any small count, but may be deduced. "Determined" is linear algebra, not a
pattern: with the published counts known, the hidden ones are the unknowns of the sums; one
of them follows from the rest exactly when it does not move along any direction of the null
space of those sums restricted to the unknowns.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

if TYPE_CHECKING:
    import numpy as np

WINDOW_DAYS = 28
"""W: the days every "in W" figure counts, ending at `as_of`."""
WEEKS = 12
"""The last 12 ISO weeks, the week of `as_of` included: active weeks, rhythm, regulars."""
RHYTHM_SPAN_DAYS = WEEKS * 7
"""The days the last 12 ISO weeks can reach back (the recommender's activity window)."""
STEADY_WEEKS = 9
"""Active weeks of the 12 that make a steady community, and a regular of a person."""
INTERMITTENT_WEEKS = 4
"""Active weeks of the 12 from which a community is intermittent rather than dormant."""

Rhythm = Literal["steady", "intermittent", "dormant", "new"]
Rung = Literal["observer", "reactor", "contributor", "regular", "animator"]
RUNGS: tuple[Rung, ...] = ("observer", "reactor", "contributor", "regular", "animator")
"""The ladder's rungs, lowest first."""
RUNG_CODES: tuple[str, ...] = RUNGS
"""A rung in SQL is its index in `RUNGS`."""
ANIMATOR_CODE = RUNG_CODES.index("animator")


@dataclass(frozen=True)
class Frames:
    """The time frames of every metric at `as_of`."""

    as_of: date

    @property
    def window(self) -> tuple[date, date]:
        """W: the 28 days ending at as_of, both ends included."""
        return self.as_of - timedelta(days=WINDOW_DAYS - 1), self.as_of

    @property
    def previous_window(self) -> tuple[date, date]:
        start, _ = self.window
        return start - timedelta(days=WINDOW_DAYS), start - timedelta(days=1)

    @property
    def weeks(self) -> list[tuple[date, date]]:
        """The ISO week holding as_of and the 11 before it, oldest first; ends capped at as_of."""
        monday = self.as_of - timedelta(days=self.as_of.weekday())
        starts = [monday - timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)]
        return [(start, min(start + timedelta(days=6), self.as_of)) for start in starts]

    @property
    def first_day(self) -> date:
        """The earliest day any metric reads."""
        return min(self.weeks[0][0], self.previous_window[0])


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the ISO week before the one holding `today` (digest, example)."""
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=1)
    return monday, monday + timedelta(days=6)


def rhythm(active_weeks: int, observed_weeks: int = WEEKS) -> Rhythm:
    """The one definition of rhythm, over the last 12 ISO weeks (the week of `as_of` included):
    steady with at least 9 active weeks, intermittent with 4 to 8, dormant with 3 or fewer;
    `new` for a community younger than 12 weeks that was active in more than a quarter of the
    weeks it has lived (3 weeks in 12), where counting its weeks of 12 would call it dormant."""
    if active_weeks >= STEADY_WEEKS:
        return "steady"
    dormant_at_most = INTERMITTENT_WEEKS - 1
    if observed_weeks < WEEKS and active_weeks * WEEKS > dormant_at_most * observed_weeks:
        return "new"
    return "intermittent" if active_weeks >= INTERMITTENT_WEEKS else "dormant"


def observed_weeks(created: datetime | date | None, as_of: date) -> int:
    """ISO weeks a community has lived of the last 12, the week of `as_of` included."""
    if created is None:
        return WEEKS
    day = created.date() if isinstance(created, datetime) else created
    monday = as_of - timedelta(days=as_of.weekday())
    return max(1, min(WEEKS, (monday - day).days // 7 + 1))


def momentum(posts: int, previous: int) -> float | None:
    """Momentum as shown: the change of posts in W over the W before it,
    (posts - previous) / previous; None when the W before had no post (nothing to compare)."""
    return (posts - previous) / previous if previous else None


def smoothed_growth(posts: int, previous: int) -> float:
    """The same two counts as `momentum`, as a ratio smoothed so that it is defined when the
    W before is empty (0 -> 0 is 1): what the recommender ranks and calls "growing"."""
    return (posts + 1) / (previous + 1)


@dataclass(frozen=True)
class Suppressed:
    """Stands where a figure would describe fewer than `minimum` people, or (complementary)
    where showing it would let a hidden figure be deduced by subtraction."""

    minimum: int
    complementary: bool = False

    def __str__(self) -> str:
        return "hidden" if self.complementary else f"fewer than {self.minimum}"


Count = int | Suppressed
Share = float | Suppressed


def count(value: int, minimum: int) -> Count:
    return value if value >= minimum else Suppressed(minimum)


def share(part: int, whole: int, minimum: int) -> Share:
    """A share is shown only when both the part and the rest reach the minimum group."""
    if part < minimum or whole - part < minimum:
        return Suppressed(minimum)
    return part / whole


def is_suppressed(value: object) -> bool:
    return isinstance(value, Suppressed)


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
    import numpy as np  # only here: the CLI's other figures start without it

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
    import numpy as np

    if not hidden or matrix.shape[0] == 0:
        return []
    unknowns = matrix[:, hidden]
    _, singular, rows = np.linalg.svd(unknowns)
    rank = int((singular > _TOLERANCE * max(1.0, float(singular.max(initial=0.0)))).sum())
    free = rows[rank:]
    moving = np.abs(free).max(axis=0, initial=0.0) if free.size else np.zeros(len(hidden))
    return [column for column, move in zip(hidden, moving, strict=True) if move <= 1e-7]
