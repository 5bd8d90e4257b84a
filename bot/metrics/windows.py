"""The time frames every metric uses: W = 28 days ending at `as_of`; the last 12 ISO weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 28
WEEKS = 12


@dataclass(frozen=True)
class Frames:
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
