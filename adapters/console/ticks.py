"""`tick`: the console's clock moves on, and the scheduler's jobs run as they would have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services import Services
from nudges.jobs import all_jobs

STEP = timedelta(hours=1)
"""The digest job runs hourly and the planner every 15 minutes: an hour misses nobody's
window, which opens on whole local hours."""
TICK_JOBS = ("fold", "plan", "digest", "deliver")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
LONGEST = timedelta(weeks=8)


@dataclass
class ConsoleClock:
    """Starts at the real time (or when an old export's activity ends); only `tick` moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `2h`, `1d`, `1w`; None if not understood or longer than 8 weeks."""
    match = DURATION.match(text.strip().lower() or "1h")
    if match is None:
        return None
    duration = timedelta(**{UNITS[match[2]]: int(match[1])})
    return duration if timedelta(0) < duration <= LONGEST else None


async def tick(services: Services, clock: ConsoleClock, duration: timedelta) -> None:
    """Advance in steps of at most an hour, running the jobs at each step."""
    jobs = all_jobs()
    end = clock.now + duration
    while clock.now < end:
        clock.now = min(clock.now + STEP, end)
        for name in TICK_JOBS:
            await jobs[name](services)
