"""Campaign boosts for the recommender: eligible people only, running campaigns only
(the planner's context, built from `running_campaigns`, `eligible_query` and `sends_of`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from bot.animators.roles import Actor
from bot.campaigns.store import change_state
from bot.services import Services
from bot.storage.models import Campaign, Dismissal
from nudges.planner.context import load_context
from tests.support.campaigns import (
    NOW,
    SPRING,
    Ids,
    operator_campaign,
    opt_in,
    ready_workspace,
    suggestions,
)


@pytest.fixture
async def ids(services: Services) -> Ids:
    found = await ready_workspace(services)
    await opt_in(services, [found.people[f"U{i}"] for i in range(7, 13)] + [found.people["U1"]])
    return found


async def boosts(
    services: Services, ids: Ids, person: str, now: datetime = NOW, consent_mode: str = "opt_in"
) -> dict[int, float]:
    """The planner's boosts for one person: what running campaigns add to their ranking."""
    someone = ids.people[person]
    planner = await services.database.read(
        lambda s: load_context(s, ids.workspace, [someone], now, consent_mode=consent_mode)
    )
    return planner.boosts_for(someone)


async def move(services: Services, ids: Ids, campaign: int, verb: str) -> None:
    def write(session: Session) -> None:
        row = session.get(Campaign, campaign)
        assert row is not None
        change_state(session, (), Actor(ids.workspace, None, "cli"), row, verb, NOW.date())

    await services.database.write(write)


async def test_an_active_campaign_boosts_eligible_people_only(services: Services, ids: Ids) -> None:
    campaign = await operator_campaign(services, ids.workspace, "active", **SPRING)
    club = ids.communities["C2"]
    assert await boosts(services, ids, "U7") == {club: 2.5}
    assert await boosts(services, ids, "U1") == {}  # already a member of #archive-club
    assert await boosts(services, ids, "U13") == {}  # in the audience, never said yes
    assert await boosts(services, ids, "U13", consent_mode="opt_out") == {club: 2.5}
    planner = await services.database.read(
        lambda s: load_context(s, ids.workspace, [ids.people["U8"]], NOW)
    )
    assert planner.campaign_for(ids.people["U8"], club) == campaign


async def test_drafts_paused_and_ended_campaigns_give_nothing(services: Services, ids: Ids) -> None:
    campaign = await operator_campaign(services, ids.workspace, "draft", **SPRING)
    assert await boosts(services, ids, "U7") == {}
    await move(services, ids, campaign, "activate")
    assert await boosts(services, ids, "U7") == {ids.communities["C2"]: 2.5}
    await move(services, ids, campaign, "pause")
    assert await boosts(services, ids, "U7") == {}
    await move(services, ids, campaign, "resume")
    assert await boosts(services, ids, "U7") != {}
    await move(services, ids, campaign, "end")
    assert await boosts(services, ids, "U7") == {}


async def test_dates_bound_the_boost(services: Services, ids: Ids) -> None:
    await operator_campaign(services, ids.workspace, "active", **SPRING)
    before = NOW.replace(day=19)
    last_day = NOW.replace(month=4, day=30, hour=23)
    after = last_day + timedelta(hours=2)
    assert await boosts(services, ids, "U7", now=before) == {}
    assert await boosts(services, ids, "U7", now=last_day) != {}
    assert await boosts(services, ids, "U7", now=after) == {}


async def test_max_sends_counts_the_campaigns_suggestions(services: Services, ids: Ids) -> None:
    campaign = await operator_campaign(
        services, ids.workspace, "active", **{**SPRING, "max_sends": "2"}
    )
    club = ids.communities["C2"]
    await suggestions(services, club, [ids.people["U9"]], campaign)
    assert await boosts(services, ids, "U7") == {club: 2.5}
    await suggestions(services, club, [ids.people["U10"]], campaign)
    assert await boosts(services, ids, "U7") == {}


async def test_a_dismissal_removes_the_boost(services: Services, ids: Ids) -> None:
    await operator_campaign(services, ids.workspace, "active", **SPRING)

    def dismiss(session: Session) -> None:
        session.add(Dismissal(person_id=ids.people["U7"], community_id=ids.communities["C2"],
                              kind="not_now", until=NOW + timedelta(days=90)))  # fmt: skip

    await services.database.write(dismiss)
    assert await boosts(services, ids, "U7") == {}
    assert await boosts(services, ids, "U8") != {}


async def test_the_strongest_of_two_campaigns_wins(services: Services, ids: Ids) -> None:
    await operator_campaign(services, ids.workspace, "active", **SPRING)
    stronger = {**SPRING, "name": "autumn", "audience": "department",
                "department": "sales", "boost": "4"}  # fmt: skip
    await operator_campaign(services, ids.workspace, "active", **stronger)
    club = ids.communities["C2"]
    assert await boosts(services, ids, "U9") == {club: 4.0}  # Sales
    assert await boosts(services, ids, "U7") == {club: 2.5}  # Engineering
