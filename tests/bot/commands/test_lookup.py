"""A private community exists only for its members and the admins: anyone else who names
it gets the answer an unknown name gets, from every command that takes a community."""

from __future__ import annotations

import pytest

from bot.commands import Asker, Router
from bot.commands.lookup import community_token, parse_reference, person_token
from bot.services import Services
from nudges.actions import full_router
from tests.support.campaigns import Ids, ready_workspace
from tests.support.events import WORKSPACE
from tests.support.workspace import private_community

MEMBERS = ["U1", "U2", "U3", "U4", "U5", "U6"]


@pytest.fixture
async def ids(services: Services) -> Ids:
    await services.tracker.record(private_community("G7", "gardens", "U1", MEMBERS))
    return await ready_workspace(services)


@pytest.fixture
def router(services: Services, ids: Ids) -> Router:
    return full_router(services)


async def say(router: Router, person: str, text: str) -> str:
    return (await router.handle(Asker("slack", WORKSPACE, person, locale="en-US"), text)).text()


@pytest.mark.parametrize(
    "command",
    ["stats", "animators list", "animators add @U9", "campaign list", "follow", "join", "never"],
)
async def test_a_non_member_is_told_a_private_community_does_not_exist(
    router: Router, command: str
) -> None:
    for typed in ("#gardens", "<community:G7|gardens>", "G7"):
        hidden = await say(router, "U9", f"{command} {typed}")
        unknown = typed.replace("gardens", "gardenq").replace("G7", "G8")
        answer = await say(router, "U9", f"{command} {unknown}")
        assert answer.startswith("I can't find the community")
        assert hidden == answer.replace("gardenq", "gardens").replace("G8", "G7")
        assert "Person U1" not in hidden
    assert "gardens" not in hidden  # named by its id, the answer does not name it


async def test_members_and_admins_see_it(router: Router, services: Services) -> None:
    assert await say(router, "U2", "animators list #gardens") == (
        "Animators of #gardens\nPerson U1"
    )
    assert not (await say(router, "U9", "animators list #gardens")).startswith("Animators")
    services.settings = services.settings.model_copy(update={"admins": ("U9",)})
    assert await say(router, "U9", "animators list #gardens") == (
        "Animators of #gardens\nPerson U1"
    )


def test_the_adapters_tokens_are_what_the_core_parses() -> None:
    assert community_token("C1", "garden") == "<community:C1|garden>"
    assert parse_reference(community_token("C1", "garden")) == ("C1", "garden")
    assert parse_reference(community_token("C1")) == ("C1", None)
    assert parse_reference("#garden") == (None, "garden")
    assert person_token("U1", "Ann | B>") == "<person:U1|Ann  B>"
