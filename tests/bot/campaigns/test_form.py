"""The neutral campaign form the Slack modal and the Teams card render, and its submission."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.animators.roles import Actor, RoleError
from bot.campaigns.form import campaign_form_fields, errors_by_field, save_campaign_from_form
from bot.campaigns.spec import CampaignError
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Audit, Campaign
from tests.support.campaigns import Ids, ready_workspace

SUBMITTED = {
    "community": "C2", "name": "spring", "pitch_en": "Old threads, new friends",
    "pitch_fr": "", "audience": "members", "audience_communities": ["C1"],
    "department": "", "starts": "2026-04-01", "ends": "2026-04-30",
    "max_sends": "40", "boost": "1,5",
}  # fmt: skip


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


def test_fields_are_labelled_in_each_language_and_prefilled() -> None:
    english = campaign_form_fields(Translator("en"))
    assert [f.name for f in english] == [
        "community", "name", "pitch_en", "pitch_fr", "audience", "audience_communities",
        "department", "starts", "ends", "max_sends", "boost",
    ]  # fmt: skip
    by_name = {f.name: f for f in english}
    assert (by_name["ends"].kind, by_name["ends"].required) == ("date", True)
    assert by_name["audience"].value == "everyone"
    assert [value for value, _ in by_name["audience"].options] == [
        "everyone", "members", "active", "department",
    ]  # fmt: skip
    assert (
        by_name["boost"].hint == "How much more often the community is suggested, from 1.0 to 5.0."
    )
    french = {f.name: f for f in campaign_form_fields(Translator("fr"), SUBMITTED)}
    assert french["ends"].label == "Date de fin"
    assert french["audience_communities"].value == ("C1",)
    assert french["max_sends"].value == "40"


async def test_a_submitted_form_saves_a_draft(services: Services, ids: Ids) -> None:
    actor = Actor(ids.workspace, ids.people["U15"], "form")
    campaign = await save_campaign_from_form(services, SUBMITTED, actor)
    assert (campaign.state, campaign.boost, campaign.max_sends) == ("draft", 1.5, 40)
    assert campaign.pitch == {"en": "Old threads, new friends"}
    assert campaign.audience == {"kind": "members", "communities": [ids.communities["C1"]]}
    edited = await save_campaign_from_form(
        services, {"pitch_fr": "Bienvenue"}, actor, campaign_id=campaign.id
    )
    assert edited.pitch == {"en": "Old threads, new friends", "fr": "Bienvenue"}
    sources = await services.database.read(lambda s: [row.source for row in s.exec(select(Audit))])
    assert sources == ["form", "form"]


async def test_problems_come_back_per_field_and_nothing_is_saved(
    services: Services, ids: Ids
) -> None:
    actor = Actor(ids.workspace, ids.people["U15"], "form")
    bad = {**SUBMITTED, "pitch_en": "", "ends": "2026-03-01", "department": "x"}
    with pytest.raises(CampaignError) as raised:
        await save_campaign_from_form(services, bad, actor)
    errors = errors_by_field(Translator("fr"), raised.value.problems)
    assert errors == {
        "pitch_en": "écrivez le message en anglais, en français ou dans les deux langues.",
        "ends": "la date de fin 2026-03-01 précède la date de début 2026-04-01.",
    }
    with pytest.raises(RoleError):
        await save_campaign_from_form(
            services, SUBMITTED, Actor(ids.workspace, ids.people["U1"], "form")
        )
    with pytest.raises(CampaignError):
        await save_campaign_from_form(services, SUBMITTED, actor, campaign_id=99)
    assert await services.database.read(lambda s: s.exec(select(Campaign)).all()) == []
