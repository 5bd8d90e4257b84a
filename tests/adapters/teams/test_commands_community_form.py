"""The community settings card over real HTTP: its button answers an animator with the
form; submitting saves, or shows the problem under its field; others get the refusal."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Community
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_commands import texts
from tests.adapters.teams.test_commands_campaign_form import click, ids, inputs
from tests.support.campaigns import Ids

__all__ = ["ids"]  # the fixture: the handcrafted workspace in our Teams tenant

FORM = {"action": "engage.community.form", "value": "C1"}


def garden(session: Session) -> Community:
    return session.exec(select(Community).where(Community.external_id == "C1")).one()


async def test_an_animator_edits_the_settings_in_a_card(
    teams: TeamsServer, connector: FakeConnector, services: Services, ids: Ids
) -> None:
    card = await click(teams, connector, "U15", FORM)
    assert list(inputs(card)) == ["pitch", "never_suggest", "welcome"]
    assert inputs(card)["never_suggest"]["value"] == "off"
    submit = card["actions"][0]["data"] | {
        "pitch": "Seeds and sun", "never_suggest": "on", "welcome": "Hi, gardener!"
    }  # fmt: skip
    saved = await click(teams, connector, "U15", submit)
    assert "Saved: Pitch, Never suggest, Welcome line." in texts(saved)
    found = await services.database.read(garden)
    assert (found.pitch, found.never_suggest, found.welcome) == (
        "Seeds and sun", True, "Hi, gardener!"
    )  # fmt: skip
    again = await click(teams, connector, "U15", submit | {"never_suggest": "perhaps"}, "fr-FR")
    assert "« perhaps » n'est ni on ni off." in texts(again)
    assert inputs(again)["pitch"]["value"] == "Seeds and sun"


async def test_others_get_the_refusal(
    teams: TeamsServer, connector: FakeConnector, services: Services, ids: Ids
) -> None:
    card = await click(teams, connector, "U4", FORM)
    assert texts(card) == [
        "Only animators of #garden (or a workspace admin) can change its settings."
    ]
    submit = {"action": "engage.community.submit", "community": "C1", "pitch": "Mine"}
    refused = await click(teams, connector, "U4", submit)
    assert "Only animators of #garden" in " ".join(texts(refused))
    assert (await services.database.read(garden)).pitch is None
