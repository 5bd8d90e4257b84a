"""What to generate: sizes, period and seed of a synthetic workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.errors import EngageError

MAX_DAYS = 3660
EVENTS_PER_PERSON_DAY = 0.8


class SynthError(EngageError):
    """The requested workspace cannot be generated (sizes out of range)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthSpec:
    """Activity covers the `days` days before `end` (exclusive), in UTC.

    `events` is the approximate number of events wanted; by default about
    0.8 per person and day, the rate of a lively but ordinary workplace.
    """

    people: int
    communities: int
    days: int
    end: date
    seed: int = 0
    events: int | None = None
    platform: str = "slack"
    workspace: str = ""

    def __post_init__(self) -> None:
        if self.people < 5:
            raise SynthError("--people must be at least 5")
        if self.communities < 1:
            raise SynthError("--communities must be at least 1")
        if not 7 <= self.days <= MAX_DAYS:
            raise SynthError(f"--days must be between 7 and {MAX_DAYS}")
        if self.events is not None and self.events < 0:
            raise SynthError("--events must not be negative")
        if not self.workspace:
            object.__setattr__(self, "workspace", f"TSYN{self.seed}")

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def start_moment(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_moment(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)

    @property
    def target_events(self) -> int:
        if self.events is not None:
            return self.events
        return round(self.people * self.days * EVENTS_PER_PERSON_DAY)
