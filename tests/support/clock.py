"""Clocks a test moves by hand: wall-clock time (`services.clock = clock`) and seconds of a
monotonic clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeMonotonic:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now
