"""Campaigns in chat: create, preview (a count), activate, pause, end; refusals; results."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.campaigns.form import FORM_ACTION
from bot.cards import Actions, Chart
from bot.commands import Asker, Router
from bot.commands.core import core_router
from bot.events import CommunityCreated
from bot.services import Services
from bot.storage.models import Campaign
from tests.support.campaigns import (
    SPRING,
    Ids,
    audit_rows,
    operator_campaign,
    opt_in,
    ready_workspace,
    suggestions,
)
from tests.support.events import WORKSPACE, at
from tests.support.workspace import private_community

NEW = (
    'campaign new #archive-club name=spring en="Old threads, new friends" '
    "audience=members communities=#garden ends=2026-04-30"
)


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


@pytest.fixture
def router(services: Services, ids: Ids) -> Router:
    return core_router(services)


def asker(person: str, locale: str = "en-US") -> Asker:
    return Asker("slack", WORKSPACE, person, locale=locale)


async def say(router: Router, person: str, text: str, locale: str = "en-US") -> str:
    return (await router.handle(asker(person, locale), text)).text()


async def test_an_animator_creates_previews_and_activates(
    router: Router, services: Services, ids: Ids
) -> None:
    created = await say(router, "U15", NEW)
    assert "Campaign spring · #archive-club · draft" in created
    assert "Audience: members of #garden" in created
    assert "Dates: 2026-03-29 to 2026-04-30" in created
    assert "People it could reach now: fewer than 5" in created  # nobody said yes yet
    await opt_in(services, [ids.people[f"U{i}"] for i in range(7, 13)])
    assert "People it could reach now: 6" in await say(router, "U15", "campaign preview 1")
    assert "Person U" not in await say(router, "U15", "campaign preview spring")
    assert await say(router, "U15", "campaign activate 1") == "Campaign spring is now active."
    assert await say(router, "U15", "campaign pause spring") == "Campaign spring is now paused."
    assert await say(router, "U15", "campaign resume 1") == "Campaign spring is now active."
    assert await say(router, "U15", "campaign end 1") == "Campaign spring is now ended."
    refused = await say(router, "U15", "campaign resume 1")
    assert "only a paused campaign can be resumed (this one is ended)" in refused
    actions = [row.action for row in await audit_rows(services)]
    assert actions == [
        "campaign.create", "campaign.activate", "campaign.pause", "campaign.resume", "campaign.end",
    ]  # fmt: skip


async def test_the_audit_records_settings_but_never_the_pitch(
    router: Router, services: Services, ids: Ids
) -> None:
    await say(router, "U15", NEW)
    await say(router, "U15", "campaign edit 1 boost=3 fr=Bienvenue")
    create, update = await audit_rows(services)
    assert (create.actor_id, create.community_id, create.campaign_id) == (
        ids.people["U15"], ids.communities["C2"], 1,
    )  # fmt: skip
    assert create.details["pitch_languages"] == ["en"]
    assert create.details["audience"] == {"kind": "members", "communities": [ids.communities["C1"]]}
    assert update.details == {"pitch_languages": ["en", "fr"], "boost": 3.0}
    assert "Old threads" not in repr([create.details, update.details])


async def test_only_animators_configure_but_anyone_may_look(
    router: Router, services: Services
) -> None:
    refused = await say(router, "U1", NEW)
    assert refused == (
        "Only animators of #archive-club (or a workspace admin) can create or change its campaigns."
    )
    await say(router, "U15", NEW)
    assert (await say(router, "U1", "campaign pause 1")).startswith("Only animators")
    assert (await say(router, "U1", "campaign edit 1 boost=5")).startswith("Only animators")
    shown = await router.handle(asker("U1"), "campaign show 1")
    assert "Campaign spring" in shown.text()
    assert not any(isinstance(block, Actions) for block in shown.blocks)
    owner_view = await router.handle(asker("U15"), "campaign show 1")
    buttons = next(block for block in owner_view.blocks if isinstance(block, Actions)).buttons
    assert [button.value for button in buttons] == ["campaign activate 1", "campaign end 1"]
    assert "1. spring · #archive-club · draft · until 2026-04-30" in await say(
        router, "U1", "campaign list"
    )


async def test_campaign_new_alone_offers_the_form_to_animators_only(router: Router) -> None:
    card = await router.handle(asker("U15", "fr-FR"), "campaign new #garden")
    button = next(block for block in card.blocks if isinstance(block, Actions)).buttons[0]
    assert (button.action, button.value) == (FORM_ACTION, "C1")
    assert button.label == "Ouvrir le formulaire de campagne"
    refused = (await router.handle(asker("U1"), "campaign new #garden")).text()
    assert refused.startswith("Only animators of #garden")


async def test_a_private_community_is_unknown_to_campaigns_of_non_members(
    router: Router, services: Services
) -> None:
    await services.tracker.record(private_community("G7", "gardens", "U1", ["U1", "U2", "U3"]))
    await services.tracker.fold()
    for person in ("U9", "U15"):  # U15 animates every public community, not this one
        for line in ("campaign new {}", "campaign new {} name=x en=y ends=2026-04-30"):
            for typed, unknown in (("#gardens", "#gardenq"), ("G7", "G8")):
                refused = await say(router, person, line.format(typed))
                answer = await say(router, person, line.format(unknown))
                assert "I can't find the community" in answer
                assert refused == answer.replace(unknown.lstrip("#"), typed.lstrip("#"))
    audience = await say(router, "U15", NEW.replace("communities=#garden", "communities=G7"))
    assert "I can't find the community “G7”." in audience
    assert "gardens" not in audience
    assert await services.database.read(lambda s: s.exec(select(Campaign)).all()) == []


async def test_campaigns_show_no_private_community_to_non_members(
    router: Router, services: Services, ids: Ids
) -> None:
    await services.tracker.record(private_community("G7", "gardens", "U1", ["U1", "U2", "U3"]))
    await services.tracker.fold()
    spring = {**SPRING, "audience_communities": "G7 garden"}
    await operator_campaign(services, ids.workspace, "draft", **spring)
    outsider = await say(router, "U9", "campaign show 1")
    assert "Audience: members of #garden, a private community\n" in outsider
    assert "gardens" not in outsider
    french = await say(router, "U9", "campaign show 1", locale="fr-FR")
    assert "#garden, une communauté privée\n" in french
    assert "members of #garden, #gardens\n" in await say(router, "U2", "campaign show 1")
    private_later = CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key="created:C2:again",
        occurred_at=at("2026-03-28"),
        community="C2",
        name="archive-club",
        creator="U15",
        is_private=True,
    )
    await services.tracker.record([private_later])
    await services.tracker.fold()
    assert await say(router, "U9", "campaign list") == "No campaign yet."
    unknown = await say(router, "U9", "campaign show 1")
    assert unknown.startswith("I can't find the campaign “1”.")
    assert "spring · #archive-club" in await say(router, "U1", "campaign list")


async def test_results_count_suggestion_steps_with_suppression(
    router: Router, services: Services, ids: Ids
) -> None:
    await say(router, "U15", NEW + " starts=2026-03-09")
    people = [ids.people[f"U{i}"] for i in range(7, 13)]
    await suggestions(services, ids.communities["C2"], people, 1, followed=5, joined=2)
    card = await router.handle(asker("U15"), "campaign show 1")
    text = card.text()
    assert "Suggestions sent: 6" in text
    assert "Followed (or joined): 5" in text  # 1 did not: too few for a share
    assert "Joined: fewer than 5" in text
    assert "First posts: fewer than 5" in text
    charts = {block.label: block for block in card.blocks if isinstance(block, Chart)}
    weekly = charts["Suggestions sent per week"]
    assert weekly.labels == ("2026-W11", "2026-W12", "2026-W13")
    assert weekly.values == (0, 6, 0)  # sent on 03-19


async def test_nothing_about_a_campaign_of_another_workspace(
    router: Router, services: Services
) -> None:
    await say(router, "U15", NEW)
    other = Asker("slack", "T0OTHER", "U15", locale="en-US")
    assert "I can't find the campaign “1”" in (await router.handle(other, "campaign show 1")).text()
    rows = await services.database.read(lambda s: s.exec(select(Campaign)).all())
    assert len(rows) == 1
