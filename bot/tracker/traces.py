"""A person's trace: which recent days and ISO weeks they posted or reacted, as bitmaps.

Days are ordinals (`date.toordinal()`); ISO weeks are `(ordinal - 1) // 7`, since
ordinal 1 is a Monday. The masks keep `BITS` days and weeks back from the anchor, the
newest day marked: enough to answer any date up to `REACH_DAYS` before the anchor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.metrics.definitions import STEADY_WEEKS, WEEKS, WINDOW_DAYS

BITS = 62
FULL = (1 << BITS) - 1
POSTED, REACTED = 1, 2
REACH_DAYS = BITS - WINDOW_DAYS
"""A trace answers for `as_of` when its anchor is at most this many days after it."""


def week_of(ordinal: int) -> int:
    return (ordinal - 1) // 7


def _shifted(mask: int, steps: int) -> int:
    """The mask seen from `steps` later (left) or earlier (right), kept to `BITS` bits."""
    if steps >= BITS or steps <= -BITS:
        return 0
    return (mask << steps) & FULL if steps >= 0 else mask >> -steps


@dataclass(slots=True)
class Trace:
    anchor: int
    posted_days: int = 0
    reacted_days: int = 0
    posted_weeks: int = 0
    reacted_weeks: int = 0

    def mark(self, day: int, *, posted: bool = False, reacted: bool = False) -> None:
        """Record that the person posted and/or reacted on `day`."""
        self.mark_days({day: posted * POSTED | reacted * REACTED})

    def mark_days(self, days: Mapping[int, int]) -> None:
        """Record several days at once: day -> POSTED and/or REACTED."""
        self._advance(max(days))
        anchor, week = self.anchor, week_of(self.anchor)
        for day, flags in days.items():
            day_bit, week_bit = _bit(anchor - day), _bit(week - week_of(day))
            if flags & POSTED:
                self.posted_days |= day_bit
                self.posted_weeks |= week_bit
            if flags & REACTED:
                self.reacted_days |= day_bit
                self.reacted_weeks |= week_bit

    def _advance(self, day: int) -> None:
        if day <= self.anchor:
            return
        weeks = week_of(day) - week_of(self.anchor)
        self.posted_days = _shifted(self.posted_days, day - self.anchor)
        self.reacted_days = _shifted(self.reacted_days, day - self.anchor)
        self.posted_weeks = _shifted(self.posted_weeks, weeks)
        self.reacted_weeks = _shifted(self.reacted_weeks, weeks)
        self.anchor = day

    def until(self) -> tuple[int, int, int, int]:
        """The last day each figure holds for dates from the anchor on, if nothing more
        happens (0: not even at the anchor): regular, contributor and reactor in the 28
        days, active (posted or reacted) in the 12 weeks."""
        regular = 0
        for later in range(WEEKS):
            if (self.posted_weeks & (1 << WEEKS - later) - 1).bit_count() < STEADY_WEEKS:
                break
            regular = _sunday(week_of(self.anchor) + later)
        active = 0
        if weeks := self.posted_weeks | self.reacted_weeks:
            active = _sunday(week_of(self.anchor) - _lowest(weeks) + WEEKS - 1)
        return regular, self._last(self.posted_days), self._last(self.reacted_days), active

    def _last(self, days: int) -> int:
        """The last day a window of 28 days still holds the latest marked day."""
        return self.anchor - _lowest(days) + WINDOW_DAYS - 1 if days else 0

    def answers(self, as_of: int) -> bool:
        return self.anchor - as_of <= REACH_DAYS

    def at(self, as_of: int) -> tuple[bool, bool, int]:
        """(posted in the 28 days, reacted in them, ISO weeks with posts of the 12) at `as_of`."""
        days = _shifted(self.posted_days, as_of - self.anchor)
        window = (1 << WINDOW_DAYS) - 1
        reacted = _shifted(self.reacted_days, as_of - self.anchor) & window != 0
        weeks = _shifted(self.posted_weeks, week_of(as_of) - week_of(self.anchor))
        this_week = days & ((1 << (as_of - 1) % 7 + 1) - 1) != 0
        earlier = (weeks >> 1 & ((1 << (WEEKS - 1)) - 1)).bit_count()
        return days & window != 0, reacted, earlier + this_week


def _bit(back: int) -> int:
    return 1 << back if back < BITS else 0


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _sunday(week: int) -> int:
    return week * 7 + 7
