"""Figures that may be suppressed: a number is never shown over fewer than k people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Rhythm = Literal["steady", "intermittent", "dormant"]
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


def rhythm(active_weeks: int) -> Rhythm:
    if active_weeks >= STEADY_WEEKS:
        return "steady"
    if active_weeks >= INTERMITTENT_WEEKS:
        return "intermittent"
    return "dormant"


def is_suppressed(value: object) -> bool:
    return isinstance(value, Suppressed)
