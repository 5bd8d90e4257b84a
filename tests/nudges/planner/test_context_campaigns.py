"""The planner gives a campaign's boost to the people its audience reaches, and no one else."""

from __future__ import annotations

import pytest

from bot.services import Services
from nudges.planner.context import WorkspaceContext, load_context
from tests.support.campaigns import (
    NOW,
    SPRING,
    Ids,
    operator_campaign,
    opt_in,
    ready_workspace,
)


@pytest.fixture
async def ids(services: Services) -> Ids:
    found = await ready_workspace(services)
    await opt_in(services, [found.people[f"U{i}"] for i in range(7, 13)] + [found.people["U1"]])
    return found


async def context(services: Services, ids: Ids) -> WorkspaceContext:
    people = list(ids.people.values())
    return await services.database.read(
        lambda session: load_context(session, ids.workspace, people, NOW)
    )


async def test_boost_and_campaign_follow_the_audience(services: Services, ids: Ids) -> None:
    campaign = await operator_campaign(services, ids.workspace, "active", **SPRING)
    planner = await context(services, ids)
    club = ids.communities["C2"]
    assert planner.boosts_for(ids.people["U7"]) == {club: 2.5}
    assert planner.campaign_for(ids.people["U7"], club) == campaign
    assert planner.boosts_for(ids.people["U13"]) == {}  # never said yes to suggestions
    assert planner.boosts_for(ids.people["U1"]) == {}  # already in #archive-club
    assert planner.campaign_for(ids.people["U13"], club) is None


async def test_paused_campaign_gives_nothing(services: Services, ids: Ids) -> None:
    await operator_campaign(services, ids.workspace, "paused", **SPRING)
    planner = await context(services, ids)
    assert planner.boosts_for(ids.people["U7"]) == {}
