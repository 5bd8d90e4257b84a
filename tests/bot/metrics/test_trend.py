"""The ladder month by month, from live events: each month is that day's ladder, protected."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.events import Event, PersonSeen
from bot.metrics import Suppressed, org_ladders
from bot.metrics.trend import LadderTrend, PastMonths, ladder_trend, month_ends
from bot.services import Services
from bot.storage.models import Workspace
from tests.support.events import WORKSPACE, at, join, post

AS_OF = date(2026, 3, 29)
POSTERS = {"2025-12": 3, "2026-01": 5, "2026-02": 10, "2026-03": 15}
"""How many of the fifteen people post in the second half of each month."""


def months_of_activity(departments: bool = True) -> list[Event]:
    events: list[Event] = [
        PersonSeen(
            platform="slack",
            workspace=WORKSPACE,
            key=f"seen:U{i}",
            occurred_at=at("2025-10-01"),
            person=f"U{i}",
            department=("Engineering" if i <= 8 else "Sales") if departments else None,
        )
        for i in range(1, 16)
    ]
    events += [join(f"U{i}", "C1", "2025-10-01") for i in range(1, 16)]
    for month, posters in POSTERS.items():
        events += [post(f"U{i}", "C1", f"{month}-20") for i in range(1, posters + 1)]
    return events


async def trend_and_ladders(
    services: Services, departments: bool = True
) -> tuple[LadderTrend, list[object]]:
    events = months_of_activity(departments)
    assert await services.tracker.record(events) == len(events)
    await services.tracker.fold()

    def read(session: Session) -> tuple[LadderTrend, list[object]]:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        trend = ladder_trend(session, workspace.id, AS_OF, 5)
        each_day = [org_ladders(session, workspace.id, end, 5) for end in trend.months]
        return trend, each_day

    return await services.database.read(read)


def test_month_ends_run_from_eleven_months_back_to_the_day_asked() -> None:
    ends = month_ends(AS_OF)
    assert ends[0] == date(2025, 4, 30)
    assert ends[-2:] == [date(2026, 2, 28), AS_OF]
    assert len(ends) == 12
    assert month_ends(date(2024, 3, 31), 2) == [date(2024, 2, 29), date(2024, 3, 31)]


async def test_the_trend_is_each_months_ladder(services: Services) -> None:
    trend, each_day = await trend_and_ladders(services)
    assert len(trend.months) == 12
    for month, (organisation, departments) in enumerate(each_day):  # type: ignore[misc]
        assert trend.organisation[month] == organisation
        for ladder in departments:
            assert trend.departments[ladder.group][month] == ladder


async def test_contributors_grow_month_by_month_and_small_months_stay_hidden(
    services: Services,
) -> None:
    trend, _ = await trend_and_ladders(services, departments=False)
    assert trend.departments == {}
    contributors = [ladder.rungs["contributor"] for ladder in trend.organisation[-5:]]
    assert contributors[0] == Suppressed(5)  # November: nobody posted
    assert contributors[1] == Suppressed(5)  # December: 3 people
    assert contributors[2:] == [5, 10, 15]
    observers = [ladder.rungs["observer"] for ladder in trend.organisation[-5:]]
    assert observers[:2] == [15, Suppressed(5, complementary=True)]  # else 15 - 12 gives the 3
    people = [ladder.people for ladder in trend.organisation]
    assert people[:6] == [Suppressed(5)] * 6  # April to September: nobody seen yet
    assert people[6:] == [15] * 6


async def test_past_months_are_kept_and_the_current_one_is_always_computed(
    services: Services,
) -> None:
    """`stats org` keeps the past months' counts a while; the month in progress is live."""
    events = months_of_activity(departments=False)
    assert await services.tracker.record(events) == len(events)
    await services.tracker.fold()
    past = PastMonths()

    def read(session: Session, keep: PastMonths) -> LadderTrend:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        return ladder_trend(session, workspace.id, AS_OF, 5, past=keep)

    first = await services.database.read(lambda session: read(session, past))
    assert len(past.counts) == 11  # every month end before March
    late = [post(f"U{i}", "C1", "2026-02-25") for i in range(11, 16)]
    late += [post(f"U{i}", "C1", "2026-03-25") for i in range(16, 17)]
    await services.tracker.record(late)
    await services.tracker.fold()
    kept = await services.database.read(lambda session: read(session, past))
    assert kept.organisation[:-1] == first.organisation[:-1]
    fresh = await services.database.read(lambda session: read(session, PastMonths()))
    assert fresh.organisation[-2] != first.organisation[-2]  # February changed underneath
    assert fresh.organisation[-1] == kept.organisation[-1]  # March is computed every time
