"""How fast events are arriving, to tell a burst from ordinary traffic.

Folding competes with acknowledging webhooks for the CPU (and, on SQLite, for the one
write lock), so the scheduler's fold steps aside while events arrive in a burst; see
`Tracker.fold_unless_busy`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

BURST_EVENTS_PER_SECOND = 100
"""Above this arrival rate folding waits; ordinary traffic, even in a large
organisation, is a few events a second."""


class BurstMeter:
    """New events in the last second, estimated from two one-second buckets: the current
    one, and the previous one weighted by how much of it is still inside the window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._second = 0
        self._current = 0
        self._previous = 0

    def add(self, count: int) -> None:
        self._roll()
        self._current += count

    def rate(self) -> float:
        self._roll()
        overlap = 1.0 - (self._clock() - self._second)
        return self._previous * overlap + self._current

    def busy(self) -> bool:
        return self.rate() > BURST_EVENTS_PER_SECOND

    def _roll(self) -> None:
        second = int(self._clock())
        if second == self._second:
            return
        self._previous = self._current if second == self._second + 1 else 0
        self._current = 0
        self._second = second
