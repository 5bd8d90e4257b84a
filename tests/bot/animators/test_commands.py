"""`animators list|add|remove` in chat: who may change roles, and the audit trail it leaves."""

from __future__ import annotations

import pytest

from bot.animators.roles import mark_platform_admin
from bot.commands import Asker, Router
from bot.commands.core import core_router
from bot.services import Services
from tests.support.campaigns import Ids, audit_rows, ready_workspace
from tests.support.events import WORKSPACE


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


@pytest.fixture
def router(services: Services, ids: Ids) -> Router:
    return core_router(services)


async def say(router: Router, person: str, text: str, locale: str = "en-US") -> str:
    return (await router.handle(Asker("slack", WORKSPACE, person, locale=locale), text)).text()


async def test_someone_who_is_not_an_animator_is_refused(
    router: Router, services: Services
) -> None:
    answer = await say(router, "U1", "animators add @U2 #garden")
    assert answer == "Only animators of #garden (or a workspace admin) can add animators."
    assert await audit_rows(services) == []
    french = await say(router, "U3", "animators add @U2 #garden", locale="fr-FR")
    assert french.startswith("Seuls les animateurs de #garden")


async def test_the_creator_names_an_animator_who_may_then_name_others(
    router: Router, services: Services, ids: Ids
) -> None:
    assert await say(router, "U15", "animators add <person:U1> #garden") == (
        "Person U1 is now an animator of #garden."
    )
    assert await say(router, "U1", 'animators add "@Person U2" <community:C1|garden>') == (
        "Person U2 is now an animator of #garden."
    )
    assert await say(router, "U1", "animators add <person:29:1unknown|Person U2> #garden") == (
        "Person U2 was already an animator of #garden."
    )
    listed = await say(router, "U9", "animators list #garden")
    assert listed.splitlines() == ["Animators of #garden", "Person U1, Person U15, Person U2"]
    rows = await audit_rows(services)
    assert [(r.action, r.actor_id, r.subject_id, r.community_id, r.source) for r in rows] == [
        ("animator.add", ids.people["U15"], ids.people["U1"], ids.communities["C1"], "chat"),
        ("animator.add", ids.people["U1"], ids.people["U2"], ids.communities["C1"], "chat"),
    ]
    assert all(row.created_at is not None for row in rows)


async def test_removing_an_animator_takes_the_role_away_but_the_creator_stays(
    router: Router, services: Services
) -> None:
    await say(router, "U15", "animators add @U1 #garden")
    assert await say(router, "U1", "animators remove @U15 #garden") == (
        "The creator of #garden is always one of its animators."
    )
    assert await say(router, "U15", "animators remove @U1 #garden") == (
        "Person U1 is no longer an animator of #garden."
    )
    assert (await say(router, "U1", "animators add @U2 #garden")).startswith("Only animators")
    assert [row.action for row in await audit_rows(services)] == ["animator.add", "animator.remove"]


async def test_admins_from_settings_and_from_the_platform(
    router: Router, services: Services, ids: Ids
) -> None:
    services.settings = services.settings.model_copy(update={"admins": ("U9",)})
    assert await say(router, "U9", "animators add @U3 #garden") == (
        "Person U3 is now an animator of #garden."
    )
    assert (await say(router, "U10", "animators add @U4 #garden")).startswith("Only animators")
    granted = await services.database.write(
        lambda s: mark_platform_admin(s, ids.people["U10"], True)
    )
    again = await services.database.write(lambda s: mark_platform_admin(s, ids.people["U10"], True))
    assert (granted, again) == (True, False)
    assert (await say(router, "U10", "animators add @U4 #garden")).endswith("#garden.")
    await services.database.write(lambda s: mark_platform_admin(s, ids.people["U10"], False))
    assert (await say(router, "U10", "animators add @U5 #garden")).startswith("Only animators")
    actions = [(row.action, row.source) for row in await audit_rows(services)]
    assert ("admin.grant", "platform") in actions
    assert ("admin.revoke", "platform") in actions


async def test_unknown_people_and_bad_lines_answer_with_usage(router: Router) -> None:
    unknown = await say(router, "U15", "animators add @nobody #garden")
    assert unknown.startswith("I can't find the person “nobody”.")
    assert "Usage: animators list #community" in unknown
    assert "I can't find the community “gardn”" in await say(router, "U15", "animators list gardn")
    assert (await say(router, "U15", "animators add @U1")).startswith("Say “animators list")
