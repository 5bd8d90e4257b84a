"""Send windows in each person's own time zone, across the change to summer time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nudges.policy.budget import Schedule, zone

PARIS = Schedule(tz="Europe/Paris")


def utc(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (utc("2026-03-24", 8, 30), False),  # Tue 09:30 CET: before the window
        (utc("2026-03-24", 9, 30), True),  # Tue 10:30 CET
        (utc("2026-03-24", 14, 59), True),  # Tue 15:59 CET
        (utc("2026-03-24", 15, 0), False),  # Tue 16:00 CET: window closed
        (utc("2026-03-31", 8, 30), True),  # Tue 10:30 CEST: the same UTC hour now opens
        (utc("2026-03-31", 14, 0), False),  # Tue 16:00 CEST
        (utc("2026-03-31", 13, 59), True),  # Tue 15:59 CEST
        (utc("2026-03-30", 9, 0), False),  # Monday: not a default working day
        (utc("2026-04-03", 9, 0), False),  # Friday
    ],
)
def test_window_is_local_across_the_dst_change(moment: datetime, open_: bool) -> None:
    assert PARIS.open_at(moment) is open_


def test_the_night_of_the_change_in_paris() -> None:
    every_day = Schedule(
        tz="Europe/Paris", working_days=frozenset(range(1, 8)), window_start=2, window_end=4
    )
    assert not every_day.open_at(utc("2026-03-29", 0, 30))  # 01:30 CET
    assert every_day.open_at(utc("2026-03-29", 1, 30))  # 03:30 CEST (02:xx never happened)
    assert every_day.open_at(utc("2026-03-28", 1, 30))  # 02:30 CET the day before


def test_quiet_hours_close_the_window_even_across_midnight() -> None:
    lunch = Schedule(tz="Europe/Paris", quiet_start=12, quiet_end=14)
    assert lunch.open_at(utc("2026-03-31", 9, 0))  # 11:00
    assert not lunch.open_at(utc("2026-03-31", 10, 0))  # 12:00
    assert not lunch.open_at(utc("2026-03-31", 11, 59))  # 13:59
    assert lunch.open_at(utc("2026-03-31", 12, 0))  # 14:00
    night = Schedule(tz="UTC", window_start=0, window_end=24, quiet_start=22, quiet_end=7)
    assert night.is_quiet(utc("2026-03-31", 23, 0))
    assert night.is_quiet(utc("2026-03-31", 6, 59))
    assert not night.is_quiet(utc("2026-03-31", 7, 0))


def test_unknown_or_invalid_zone_falls_back_to_utc() -> None:
    assert zone(None) == zone("UTC") == zone("Not/AZone")
    assert Schedule(tz=None).open_at(utc("2026-03-31", 10, 0))
    assert not Schedule(tz="Bogus/Zone").open_at(utc("2026-03-31", 8, 30))


def test_weeks_and_days_are_local() -> None:
    tokyo = Schedule(tz="Asia/Tokyo")
    sunday_night_utc = utc("2026-03-29", 20, 0)  # already Monday 05:00 in Tokyo
    assert tokyo.week(sunday_night_utc) == "2026-W14"
    assert PARIS.week(sunday_night_utc) == "2026-W13"
    assert tokyo.local_day(sunday_night_utc).isoformat() == "2026-03-30"
