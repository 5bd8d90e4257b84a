"""When a person may be written to: working days and send window in their own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.storage.models import Preference

UTC_ZONE = ZoneInfo("UTC")
WORKING_DAYS = frozenset({2, 3, 4})
WINDOW = (10, 16)


@cache
def zone(name: str | None) -> tzinfo:
    """The person's IANA zone; UTC when unknown or not a valid name."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


@dataclass(frozen=True, slots=True)
class Schedule:
    """Hours are local whole hours; quiet hours may wrap around midnight (22 -> 7)."""

    tz: str | None = None
    working_days: frozenset[int] = WORKING_DAYS
    window_start: int = WINDOW[0]
    window_end: int = WINDOW[1]
    quiet_start: int | None = None
    quiet_end: int | None = None

    @classmethod
    def of(cls, preference: Preference | None, tz: str | None) -> Schedule:
        if preference is None:
            return cls(tz=tz)
        return cls(
            tz=tz,
            working_days=parse_days(preference.working_days),
            window_start=preference.window_start,
            window_end=preference.window_end,
            quiet_start=preference.quiet_start,
            quiet_end=preference.quiet_end,
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(zone(self.tz))

    def local_day(self, moment: datetime) -> date:
        return self.local(moment).date()

    def week(self, moment: datetime) -> str:
        """The local ISO week, such as `2026-W14`."""
        year, week, _ = self.local(moment).isocalendar()
        return f"{year}-W{week:02d}"

    def is_quiet(self, moment: datetime) -> bool:
        if self.quiet_start is None or self.quiet_end is None:
            return False
        return _within(self.local(moment).hour, self.quiet_start, self.quiet_end)

    def open_at(self, moment: datetime) -> bool:
        """A working day, inside the send window, outside quiet hours — all local."""
        local = self.local(moment)
        if local.isoweekday() not in self.working_days:
            return False
        return _within(local.hour, self.window_start, self.window_end) and not self.is_quiet(moment)


@cache
def parse_days(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())


def _within(hour: int, start: int, end: int) -> bool:
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end
