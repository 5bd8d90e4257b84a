"""Figures that may be suppressed: a number is never shown over fewer than k people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from bot.metrics.windows import WEEKS

Rhythm = Literal["steady", "intermittent", "dormant", "new"]
STEADY_WEEKS = 9
INTERMITTENT_WEEKS = 4


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


def is_suppressed(value: object) -> bool:
    return isinstance(value, Suppressed)
