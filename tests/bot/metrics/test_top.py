"""The most alive communities from traces are those summed from rollups, in the same order."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from bot.metrics.top import Counted, top_from_rollups, top_from_traces
from bot.services import Services
from bot.storage.models import Workspace
from bot.synth import SynthSpec, build_world

END = date(2026, 3, 2)
SPEC = SynthSpec(people=150, communities=25, days=150, end=END, seed=12)


def ranked(counted: list[Counted], limit: int) -> list[Counted]:
    order = sorted(counted, key=lambda c: (-c[2], -c[3], -c[4], c[1]))
    return order[:limit]


async def test_traces_rank_as_the_rollups_do(services: Services) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()

    def both(session: Session) -> list[tuple[int, list[Counted] | None, list[Counted]]]:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        results = []
        for later, limit in ((-1, 5), (-1, 25), (10, 3), (40, 10), (100, 5)):
            as_of = END + timedelta(days=later)
            traced = top_from_traces(session, workspace.id, as_of, 3, limit)
            summed = top_from_rollups(session, workspace.id, as_of, 3)
            results.append((limit, traced, summed))
        for later, limit, minimum in ((-1, 25, 8), (10, 25, 6), (20, 2, 1)):
            as_of = END + timedelta(days=later)
            traced = top_from_traces(session, workspace.id, as_of, minimum, limit)
            summed = top_from_rollups(session, workspace.id, as_of, minimum)
            results.append((limit, traced, summed))
        return results

    results = await services.database.read(both)
    for limit, traced, summed in results:
        assert traced is not None
        assert ranked(traced, limit) == ranked(summed, limit)
    assert len(results[1][2]) >= 10  # enough communities alive to rank
    assert results[4][2] == []  # 100 days later nothing is alive


async def test_a_date_before_the_latest_activity_is_left_to_the_rollups(
    services: Services,
) -> None:
    await services.tracker.record(list(build_world(SPEC).events()))
    await services.tracker.fold()

    def earlier(session: Session) -> list[Counted] | None:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        return top_from_traces(session, workspace.id, END - timedelta(days=20), 3, 5)

    assert await services.database.read(earlier) is None
