"""The jobs' fixed ids, times, misfire grace and coalescing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.settings import Settings
from nudges.scheduler.service import build_scheduler, timetable

MONDAY = datetime(2026, 3, 30, 9, 7, tzinfo=UTC)


def test_every_job_has_a_fixed_id_and_an_explicit_grace(settings: Settings) -> None:
    specs = {spec.name: spec for spec in timetable(settings)}
    assert list(specs) == ["deliver", "fold", "plan", "digest", "retention", "roster"]
    assert [name for name, spec in specs.items() if not spec.leader_only] == ["deliver"]
    assert all(spec.misfire_grace_seconds > 0 for spec in specs.values())


def test_next_run_times(settings: Settings) -> None:
    tuned = settings.model_copy(update={"deliver_interval_seconds": 3.0, "roster_sync_hours": 6})
    specs = {spec.name: spec for spec in timetable(tuned)}

    def after(name: str) -> datetime:
        fire: datetime | None = specs[name].trigger.get_next_fire_time(MONDAY, MONDAY)
        assert fire is not None
        return fire.astimezone(UTC)

    assert after("deliver") == MONDAY + timedelta(seconds=3)
    assert after("fold") == MONDAY + timedelta(seconds=2)
    assert after("plan") == MONDAY + timedelta(minutes=15)
    assert after("digest") == datetime(2026, 3, 30, 10, 5, tzinfo=UTC)
    assert after("retention") == datetime(2026, 3, 31, 3, 30, tzinfo=UTC)
    assert after("roster") == MONDAY + timedelta(hours=6)


def test_the_scheduler_keeps_utc() -> None:
    assert build_scheduler().timezone == UTC
