from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.shell import ConsoleClock, parse_duration, tick
from bot.services import Services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", timedelta(hours=1)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1W", timedelta(weeks=1)),
        ("8w", timedelta(weeks=8)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0h", "9w", "soon", "1y", "-1d"])
def test_durations_refused(text: str) -> None:
    assert parse_duration(text) is None


async def test_tick_moves_the_services_clock_and_runs_the_jobs(services: Services) -> None:
    clock = ConsoleClock(datetime(2026, 4, 7, 9, 0, tzinfo=UTC))
    services.clock = clock
    await tick(services, clock, timedelta(hours=2, minutes=30))
    assert clock.now == datetime(2026, 4, 7, 11, 30, tzinfo=UTC)
    assert services.clock() == clock.now
