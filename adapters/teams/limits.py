"""Teams' per-conversation send limits: 7 per second, 60 per 30 seconds, 1,800 per hour."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOWS: tuple[tuple[float, int], ...] = ((1.0, 7), (30.0, 60), (3600.0, 1800))
SWEEP_EVERY = 1000


class SendLimiter:
    """Books send slots per conversation so no window's limit is ever exceeded."""

    def __init__(
        self,
        windows: tuple[tuple[float, int], ...] = WINDOWS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.windows = windows
        self.clock = clock
        self.horizon = max(span for span, _ in windows)
        self._sent: dict[str, deque[float]] = {}
        self._reservations = 0

    def reserve(self, conversation: str, within: float = math.inf) -> float:
        """Seconds until the earliest slot every window allows; booked only if <= `within`."""
        now = self.clock()
        self._reservations += 1
        if self._reservations % SWEEP_EVERY == 0:
            self._sweep(now)
        sent = self._sent.setdefault(conversation, deque())
        while sent and sent[0] <= now - self.horizon:
            sent.popleft()
        slot = max(now, sent[-1]) if sent else now
        for span, limit in self.windows:
            if len(sent) >= limit:
                slot = max(slot, sent[-limit] + span)
        if slot - now <= within:
            sent.append(slot)
        return slot - now

    def _sweep(self, now: float) -> None:
        idle = [
            key for key, sent in self._sent.items() if not sent or sent[-1] <= now - self.horizon
        ]
        for key in idle:
            del self._sent[key]
