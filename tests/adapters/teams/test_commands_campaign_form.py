"""The campaign form card over real HTTP: its button answers with the form; submitting saves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Campaign
from tests.adapters.teams.activities import TENANT, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_commands import texts
from tests.support.campaigns import Ids, audit_rows, counts, ids_in
from tests.support.workspace import AS_OF, handcrafted_events

Json = dict[str, Any]
VALID = {
    "name": "spring", "pitch_en": "Old threads, new friends", "pitch_fr": "",
    "audience": "members", "audience_communities": "C1", "department": "",
    "starts": "2026-04-01", "ends": "2026-04-30", "max_sends": "40", "boost": "1.5",
}  # fmt: skip


@pytest.fixture
async def ids(services: Services) -> Ids:
    """The handcrafted workspace, in our Teams tenant."""
    events = [
        dataclasses.replace(event, platform="teams", workspace=TENANT)
        for event in handcrafted_events()
    ]
    await services.tracker.record(events)
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(15), tzinfo=UTC)
    return await services.database.read(ids_in)


async def click(
    teams: TeamsServer, connector: FakeConnector, person: str, data: Json, locale: str = "en-US"
) -> Json:
    """`person` clicks an Action.Execute carrying `data`; the card the invoke answers with."""
    sender = {"id": f"29:1{person}xQz0p9WvB3nK7mJ2sR5dF8g", "name": person, "aadObjectId": person}
    invoke = activity("card_action_invoke", connector.url, locale=locale, **{"from": sender})
    invoke["value"]["action"] |= {"verb": data["action"], "data": data}
    answer = await teams.post(invoke)
    assert (answer.status, answer.body["statusCode"]) == (200, 200)
    card: Json = answer.body["value"]
    return card


def inputs(card: Json) -> dict[str, Json]:
    return {item["id"]: item for item in card["body"] if item["type"].startswith("Input.")}


async def open_form(teams: TeamsServer, connector: FakeConnector, person: str) -> Json:
    return await click(teams, connector, person, {"action": "engage.campaign.form", "value": "C2"})


async def submit(
    teams: TeamsServer, connector: FakeConnector, person: str, form: Json, values: Json
) -> Json:
    """Teams merges the inputs' values into the submit action's data."""
    (action,) = form["actions"]
    return await click(teams, connector, person, action["data"] | values)


async def test_the_button_answers_with_the_form(
    teams: TeamsServer, connector: FakeConnector, ids: Ids
) -> None:
    form = await open_form(teams, connector, "U15")
    fields = inputs(form)
    assert list(fields) == [
        "community", "name", "pitch_en", "pitch_fr", "audience", "audience_communities",
        "department", "starts", "ends", "max_sends", "boost",
    ]  # fmt: skip
    kinds = {name: field["type"] for name, field in fields.items()}
    assert (kinds["community"], fields["community"]["value"]) == ("Input.ChoiceSet", "C2")
    assert {"title": "#archive-club", "value": "C2"} in fields["community"]["choices"]
    assert fields["audience_communities"]["isMultiSelect"] is True
    assert (kinds["ends"], kinds["boost"], kinds["name"]) == (
        "Input.Date", "Input.Number", "Input.Text",
    )  # fmt: skip
    assert fields["pitch_en"]["isMultiline"] is True
    assert (fields["ends"]["isRequired"], fields["starts"]["isRequired"]) == (True, False)
    assert form["actions"][0]["type"] == "Action.Execute"
    assert texts(form)[0] == "New campaign"
    french = await click(
        teams, connector, "U15", {"action": "engage.campaign.form", "value": "C2"}, "fr-FR"
    )
    assert inputs(french)["ends"]["label"] == "Date de fin"


async def test_a_valid_form_saves_a_draft_and_confirms_it(
    teams: TeamsServer, connector: FakeConnector, ids: Ids
) -> None:
    form = await open_form(teams, connector, "U15")
    confirmed = await submit(teams, connector, "U15", form, VALID | {"community": "C2"})
    services = teams.services

    def load(session: Session) -> Campaign:
        return session.exec(select(Campaign)).one()

    campaign = await services.database.read(load)
    (audit,) = await audit_rows(services)
    assert texts(confirmed) == [
        "Campaign spring is saved as a draft (number 1). “campaign activate 1” starts it."
    ]
    assert (campaign.state, campaign.community_id, campaign.max_sends, campaign.boost) == (
        "draft", ids.communities["C2"], 40, 1.5,
    )  # fmt: skip
    assert campaign.audience == {"kind": "members", "communities": [ids.communities["C1"]]}
    assert campaign.pitch == {"en": "Old threads, new friends"}
    assert (audit.action, audit.source, audit.actor_id) == (
        "campaign.create", "form", ids.people["U15"],
    )  # fmt: skip


async def test_an_invalid_form_comes_back_with_the_errors_beside_the_fields(
    teams: TeamsServer, connector: FakeConnector, ids: Ids
) -> None:
    form = await open_form(teams, connector, "U15")
    bad = VALID | {"community": "C2", "pitch_en": "", "ends": "2026-03-01"}
    again = await submit(teams, connector, "U15", form, bad)
    body = again["body"]
    ids_in_order = [item.get("id") or item["text"] for item in body]

    def after(field: str) -> str:
        return str(ids_in_order[ids_in_order.index(field) + 2])

    assert after("pitch_en") == "write the pitch in English, in French or in both."
    assert after("ends") == "the end date 2026-03-01 is before the start date 2026-04-01."
    assert inputs(again)["name"]["value"] == "spring"
    assert inputs(again)["audience_communities"]["value"] == "C1"
    assert await counts(teams.services) == (0, 0)


async def test_someone_who_is_not_an_animator_is_refused(
    teams: TeamsServer, connector: FakeConnector, ids: Ids
) -> None:
    form = await open_form(teams, connector, "U1")
    refused = await submit(teams, connector, "U1", form, VALID | {"community": "C2"})
    assert any(text.startswith("Only animators of #archive-club") for text in texts(refused))
    assert await counts(teams.services) == (0, 0)
