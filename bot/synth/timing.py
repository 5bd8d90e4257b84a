"""When people act: working hours in their own time zone, mostly on weekdays."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

HOUR_WEIGHTS = {8: 2, 9: 6, 10: 9, 11: 9, 12: 4, 13: 5, 14: 8, 15: 8, 16: 7, 17: 4, 18: 1}
HOURS = tuple(HOUR_WEIGHTS)
HOUR_CUMULATIVE = tuple(accumulate(HOUR_WEIGHTS.values()))
LAST_HOUR = len(HOURS) - 1
WEEKEND_FACTOR = 0.07


def day_weight(day: date) -> float:
    """How much activity a day gets compared with a working day."""
    return 1.0 if day.weekday() < 5 else WEEKEND_FACTOR


class LocalTime:
    """Turns a local working moment into UTC, caching each zone's offset per day."""

    def __init__(self, latest: datetime) -> None:
        self._latest = latest
        self._zones: dict[str, ZoneInfo] = {}
        self._midnights: dict[tuple[str, date], datetime] = {}

    def working_moment(self, rng: random.Random, tz: str, day: date) -> datetime:
        hour = HOURS[bisect(HOUR_CUMULATIVE, rng.random() * HOUR_CUMULATIVE[-1], 0, LAST_HOUR)]
        seconds = hour * 3600 + int(rng.random() * 3600)
        return self.clamp(self._midnight(tz, day) + timedelta(seconds=seconds))

    def clamp(self, moment: datetime) -> datetime:
        """Nothing happens at or after the end of the period."""
        return moment if moment < self._latest else self._latest

    def _midnight(self, tz: str, day: date) -> datetime:
        """The UTC moment of the day's local midnight, at the offset the zone has at noon."""
        midnight = self._midnights.get((tz, day))
        if midnight is None:
            zone = self._zones.setdefault(tz, ZoneInfo(tz))
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
            offset = noon.utcoffset() or timedelta()
            local = datetime(day.year, day.month, day.day, tzinfo=UTC)
            midnight = self._midnights[(tz, day)] = local - offset
        return midnight
