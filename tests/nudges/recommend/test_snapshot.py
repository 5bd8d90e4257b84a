"""The loader: one workspace as of a date, from a bounded window of rollups."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from sqlmodel import Session, select

from bot.events import Event
from bot.services import Services
from bot.storage.models import Community, Dismissal, Person
from nudges.recommend import recommend
from nudges.recommend.snapshot import LoadedSnapshot, read_snapshot
from tests.nudges.recommend.office_events import (
    ANA,
    AS_OF,
    ATTIC,
    BEN,
    BOT,
    CAT,
    COOKING,
    DAN,
    EVE,
    FAY,
    GONE,
    ML,
    SECRET,
    TEAM_ROOM,
    office_events,
)
from tests.support.events import join, leave, post


async def loaded_office(
    services: Services,
) -> tuple[LoadedSnapshot, dict[str, int], dict[str, int]]:
    await services.tracker.record(office_events())
    await services.tracker.fold()

    def ids(session: Session) -> tuple[int, dict[str, int], dict[str, int]]:
        people = {p.external_id: p.id for p in session.exec(select(Person)) if p.id}
        places = {c.external_id: c.id for c in session.exec(select(Community)) if c.id}
        workspace = session.exec(select(Community)).first()
        assert workspace is not None
        return workspace.workspace_id, people, places

    workspace, people, places = await services.database.read(ids)
    loaded = await services.database.read(
        partial(read_snapshot, workspace_id=workspace, as_of=AS_OF)
    )
    return loaded, people, places


async def test_memberships_are_those_at_as_of(services: Services) -> None:
    loaded, people, places = await loaded_office(services)
    members = {(m.person, m.community): m.state for m in loaded.snapshot.memberships}
    assert (people[FAY], places[ML]) not in members
    assert members[(people[EVE], places[TEAM_ROOM])] == "member"
    assert all(person != people[BOT] for person, _ in members)
    assert BOT not in loaded.people.values()
    assert loaded.communities[places[ML]] == (ML, "ml")


async def test_only_the_window_of_rollups_is_read(services: Services) -> None:
    loaded, _, places = await loaded_office(services)
    days = {row.day for row in loaded.snapshot.activity}
    assert min(days) == date(2025, 12, 9)
    assert max(days) == date(2026, 2, 24)
    assert all(row.community != places[ATTIC] for row in loaded.snapshot.activity)
    assert date(2026, 3, 3) not in days


async def test_flags_of_communities(services: Services) -> None:
    loaded, _, places = await loaded_office(services)
    communities = loaded.snapshot.communities
    assert communities[places[SECRET]].is_private
    assert communities[places[GONE]].is_archived
    assert not communities[places[ML]].is_private


async def test_the_loaded_office_suggests_ml_then_cooking_to_ana(services: Services) -> None:
    loaded, people, places = await loaded_office(services)
    found = recommend(loaded.snapshot, people[ANA], AS_OF, 5)
    assert [s.community for s in found] == [places[ML], places[COOKING]]
    assert found[0].reasons_data()[0] == {"code": "colleagues_active", "count": 4}


async def test_dismissals_hide_until_they_expire(services: Services) -> None:
    _, people, places = await loaded_office(services)

    def dismiss(session: Session) -> None:
        created = AS_OF - timedelta(days=20)
        session.add(
            Dismissal(
                person_id=people[ANA],
                community_id=places[COOKING],
                kind="never",
                created_at=created,
            )
        )
        session.add(
            Dismissal(
                person_id=people[ANA],
                community_id=places[ML],
                kind="not_now",
                until=AS_OF - timedelta(days=1),
                created_at=created,
            )
        )

    await services.database.write(dismiss)
    workspace = await services.database.read(
        lambda session: session.exec(select(Community.workspace_id)).first()
    )
    assert workspace is not None
    loaded = await services.database.read(
        partial(read_snapshot, workspace_id=workspace, as_of=AS_OF)
    )
    assert [(d.person, d.community) for d in loaded.snapshot.dismissals] == [
        (people[ANA], places[COOKING])
    ]
    found = recommend(loaded.snapshot, people[ANA], AS_OF, 5)
    assert [s.community for s in found] == [places[ML]]


async def snapshot_of(services: Services, events: list[Event], as_of: datetime) -> LoadedSnapshot:
    """The events recorded and folded as live ones, then the snapshot as of `as_of`."""
    await services.tracker.record(events)
    await services.tracker.fold()

    def read(session: Session) -> LoadedSnapshot:
        community = session.exec(select(Community)).first()
        assert community is not None
        return read_snapshot(session, community.workspace_id, as_of)

    return await services.database.read(read)


def states(loaded: LoadedSnapshot) -> dict[tuple[str, str], str]:
    communities = {number: external for number, (external, _) in loaded.communities.items()}
    return {
        (loaded.people[m.person], communities[m.community]): m.state
        for m in loaded.snapshot.memberships
        if m.person in loaded.people
    }


async def test_a_comeback_after_as_of_reads_as_it_was_then(services: Services) -> None:
    """Stored rows keep only each membership's latest stint; the join, leave and post days
    in the rollups tell what it was before (on a day with both a join and a leave, the
    larger count wins)."""
    events: list[Event] = [
        *(post(person, ML, "2026-01-05") for person in (ANA, BEN, CAT, DAN, EVE)),
        join(ANA, COOKING, "2026-01-06"),
        leave(ANA, COOKING, "2026-02-02"),
        join(ANA, COOKING, "2026-03-10"),  # after AS_OF: left at AS_OF
        join(BEN, COOKING, "2026-01-06"),
        leave(BEN, COOKING, "2026-03-05"),
        join(BEN, COOKING, "2026-03-09"),  # still a member at AS_OF
        join(CAT, COOKING, "2026-02-10", hour=9),
        leave(CAT, COOKING, "2026-02-10", hour=18),
        join(CAT, COOKING, "2026-03-11"),  # joined and left on one day: left at AS_OF
        join(DAN, COOKING, "2026-03-12"),  # first joined after AS_OF: nothing at AS_OF
        post(EVE, COOKING, "2026-01-13"),  # a member by posting, with no join
        leave(EVE, COOKING, "2026-03-05"),
        join(EVE, COOKING, "2026-03-09"),  # so a member at AS_OF
    ]
    loaded = await snapshot_of(services, events, AS_OF)
    found = states(loaded)
    assert found[(ANA, COOKING)] == "left"
    assert found[(BEN, COOKING)] == "member"
    assert found[(CAT, COOKING)] == "left"
    assert (DAN, COOKING) not in found
    assert found[(EVE, COOKING)] == "member"
    assert found[(EVE, ML)] == "member"


async def test_people_first_seen_after_as_of_are_not_suggested_anything(
    services: Services,
) -> None:
    events: list[Event] = [
        *(post(person, ML, "2026-02-24") for person in (ANA, BEN, CAT, DAN, EVE)),
        post(FAY, ML, "2026-03-03"),  # AS_OF is 2026-03-02
    ]
    loaded = await snapshot_of(services, events, AS_OF)
    assert FAY not in loaded.people.values()
    assert {ANA, BEN, CAT, DAN, EVE} <= set(loaded.people.values())
