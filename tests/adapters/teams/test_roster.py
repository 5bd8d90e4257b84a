"""Teams roster sync: a standard channel's members are the team's, a private channel has
its own roster, and a team member is never offered a channel of their own team."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bot.events import MessagePosted, utcnow
from bot.storage.models import Community, InboxEvent, Membership, Person, Workspace
from nudges.recommend.model import build_index, candidates
from nudges.recommend.snapshot import read_snapshot
from tests.adapters.teams.activities import (
    ALICE,
    ALICE_ID,
    BOB,
    CAROL,
    GARDEN,
    TEAM,
    TENANT,
    activity,
)
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector

SECRET = "19:0sEcReTc4aNnEl0000000000000000@thread.tacv2"


async def members_of(teams: TeamsServer) -> dict[str, set[str]]:
    def read(session: Any) -> dict[str, set[str]]:
        rows = session.execute(
            select(Community.external_id, Person.external_id)
            .join(Membership, Membership.community_id == Community.id)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.state == "member")
        ).all()
        found: dict[str, set[str]] = {}
        for community, person in rows:
            found.setdefault(community, set()).add(person)
        return found

    return await teams.services.database.read(read)


async def test_a_standard_channel_has_the_team_members_and_is_never_suggested_to_them(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    now = utcnow()
    posts = [
        MessagePosted(
            platform="teams",
            workspace=TENANT,
            key=f"garden-post-{week}",
            occurred_at=now - timedelta(weeks=week, hours=1),
            person=CAROL,
            community=GARDEN,
        )
        for week in range(12)
    ]
    await teams.services.tracker.record(posts)
    await teams.services.tracker.fold()
    assert (await members_of(teams))[GARDEN] == {CAROL}  # a poster, before any roster

    assert (await teams.post(activity("bot_added_to_team", connector.url))).status == 200
    await teams.services.tracker.fold()
    found = await members_of(teams)
    assert found[GARDEN] == {ALICE, BOB, CAROL} == found[TEAM]

    def snapshot_people(session: Any) -> tuple[int, int, int]:
        workspace = session.execute(
            select(Workspace.id).where(Workspace.external_id == TENANT)
        ).scalar_one()
        alice = session.execute(select(Person.id).where(Person.external_id == ALICE)).scalar_one()
        garden = session.execute(
            select(Community.id).where(Community.external_id == GARDEN)
        ).scalar_one()
        return workspace, alice, garden

    workspace, alice, garden = await teams.services.database.read(snapshot_people)
    later = utcnow()
    loaded = await teams.services.database.read(
        partial(read_snapshot, workspace_id=workspace, as_of=later)
    )
    index = build_index(loaded.snapshot, later)
    assert not index.rhythm[garden].dormant
    assert not index.communities[garden].is_private
    assert garden not in candidates(index, alice)


async def test_a_private_channel_keeps_its_own_roster_and_members_leave_on_resync(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    connector.channels[TEAM].append({"id": SECRET, "name": "secret", "type": "private"})
    connector.rosters[SECRET] = [ALICE_ID]
    assert (await teams.post(activity("bot_added_to_team", connector.url))).status == 200
    await teams.services.tracker.fold()
    found = await members_of(teams)
    assert found[SECRET] == {ALICE}
    assert found[GARDEN] == {ALICE, BOB, CAROL}

    bob = next(key for key, member in connector.members.items() if member["aadObjectId"] == BOB)
    del connector.members[bob]
    removed = activity("members_removed", connector.url)
    assert (await teams.post(removed)).status == 200
    await teams.services.tracker.fold()
    found = await members_of(teams)
    assert found[GARDEN] == {ALICE, CAROL}
    assert found[TEAM] == {ALICE, CAROL}
    assert found[SECRET] == {ALICE}


async def test_the_scheduled_sync_finds_what_changed_and_then_nothing(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    assert (await teams.post(activity("bot_added_to_team", connector.url))).status == 200
    [source] = [s for s in teams.services.roster_sources if s.platform == "teams"]
    first = await source.sync()
    assert first.complete
    assert first.events == 0  # the install synced it already

    bob = next(key for key, member in connector.members.items() if member["aadObjectId"] == BOB)
    del connector.members[bob]
    connector.channels[TEAM].append({"id": SECRET, "name": "secret", "type": "private"})
    connector.rosters[SECRET] = []
    report = await source.sync(TENANT)
    assert report.complete
    assert report.events == 3  # Bob leaves the team and #garden; #secret is created
    found = await members_of(teams)
    assert found[TEAM] == found[GARDEN] == {ALICE, CAROL}
    assert SECRET not in found

    rows = await teams.services.database.read(
        lambda session: session.execute(select(func.count()).select_from(InboxEvent)).scalar_one()
    )
    assert (await source.sync()).events == 0
    assert (
        await teams.services.database.read(
            lambda session: session.execute(
                select(func.count()).select_from(InboxEvent)
            ).scalar_one()
        )
        == rows
    )
