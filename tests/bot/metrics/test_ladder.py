"""The ladder read from traces equals the ladder summed from rollups, for any date."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from bot.metrics.ladder import RungCounts, rung_counts_from_rollups, rung_counts_from_traces
from bot.services import Services
from bot.storage.models import Animator, Person, Workspace
from bot.synth import SynthSpec, build_world
from bot.tracker.traces import REACH_DAYS

END = date(2026, 3, 2)
SPEC = SynthSpec(people=120, communities=12, days=150, end=END, seed=9)


async def test_traces_and_rollups_agree_on_every_rung_over_many_dates(services: Services) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()

    def both(session: Session) -> list[tuple[date, RungCounts | None, RungCounts]]:
        workspace = session.exec(select(Workspace)).one()
        named = session.exec(select(Person).where(Person.is_bot == False)).first()  # noqa: E712
        assert workspace.id is not None
        assert named is not None
        assert named.id is not None
        session.add(Animator(person_id=named.id))
        session.flush()
        days = [END + timedelta(days=offset) for offset in range(-REACH_DAYS, 30, 3)]
        return [
            (
                day,
                rung_counts_from_traces(session, workspace.id, day),
                rung_counts_from_rollups(session, workspace.id, day),
            )
            for day in days
        ]

    results = await services.database.write(both)
    for day, from_traces, from_rollups in results:
        assert from_traces == from_rollups, day
    ladder = next(rollups for day, _, rollups in results if day == END - timedelta(days=1))
    rungs = {rung for counts in ladder.values() for rung, n in counts.items() if n}
    assert {"observer", "reactor", "contributor", "regular", "animator"} <= rungs


async def test_a_date_too_long_ago_for_the_traces_falls_back(services: Services) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()

    def long_ago(session: Session) -> RungCounts | None:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        return rung_counts_from_traces(session, workspace.id, END - timedelta(days=REACH_DAYS + 10))

    assert await services.database.read(long_ago) is None
