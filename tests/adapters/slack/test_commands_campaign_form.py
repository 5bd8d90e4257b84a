"""The campaign modal over signed HTTP: its button opens it, a submission saves a draft."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.services import Services
from bot.storage.models import Campaign
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.campaigns import Ids, audit_rows, counts, ready_workspace
from tests.support.fake_slack import APP_ID, TEAM

Json = dict[str, Any]
VALID = {
    "name": "spring", "pitch_en": "Old threads, new friends", "audience": "members",
    "audience_communities": ["C1"], "starts": "2026-04-01", "ends": "2026-04-30",
    "max_sends": "40", "boost": "1.5",
}  # fmt: skip


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


async def open_form(slack: Slack, person: str, community: str = "C2") -> Json:
    """`person` clicks the form button of `campaign new #…`; the view passed to views.open."""
    payload = fixture("interactive/block_actions") | {"user": {"id": person, "team_id": TEAM}}
    payload["actions"][0] |= {"action_id": "engage.campaign.form:0", "value": community}
    response = await slack.action(payload)
    assert response.status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == payload["trigger_id"]
    view = opened.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def filled(view: Json, values: dict[str, Any]) -> Json:
    """view.state.values as Slack sends them, each input given `values[block_id]`."""
    state: Json = {}
    for block in view["blocks"]:
        element, typed = block["element"], values.get(block["block_id"])
        kind = element["type"]
        if kind == "multi_static_select":
            answer: Json = {"selected_options": [{"value": v} for v in typed or []]}
        elif kind == "static_select":
            chosen = typed or (element.get("initial_option") or {}).get("value")
            answer = {"selected_option": {"value": chosen} if chosen else None}
        elif kind == "datepicker":
            answer = {"selected_date": typed or element.get("initial_date")}
        else:
            answer = {"value": typed if typed is not None else element.get("initial_value")}
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **answer}}
    return state


async def submit(slack: Slack, person: str, view: Json, values: dict[str, Any]) -> Json:
    state = {"values": filled(view, values)}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": person, "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "trigger_id": "7081299002.2478213.9b2c",
        "view": view | {"id": "V07MODAL", "team_id": TEAM, "state": state},
        "is_enterprise_install": False,
    }
    response = await slack.action(payload)
    assert response.status == 200
    text = await response.text()
    return json.loads(text) if text else {}


async def test_the_button_opens_the_modal_built_from_the_fields(slack: Slack, ids: Ids) -> None:
    view = await open_form(slack, "U15")
    by_block = {block["block_id"]: block for block in view["blocks"]}
    assert (view["type"], view["callback_id"]) == ("modal", "engage.campaign")
    assert json.loads(view["private_metadata"]) == {"campaign": None}
    assert view["title"]["text"] == "New campaign"
    assert list(by_block) == [
        "community", "name", "pitch_en", "pitch_fr", "audience", "audience_communities",
        "department", "starts", "ends", "max_sends", "boost",
    ]  # fmt: skip
    kinds = {name: block["element"]["type"] for name, block in by_block.items()}
    assert kinds["community"] == "static_select"
    assert by_block["community"]["element"]["initial_option"]["value"] == "C2"
    assert by_block["community"]["element"]["initial_option"]["text"]["text"] == "#archive-club"
    assert kinds["audience_communities"] == "multi_static_select"
    assert (kinds["starts"], kinds["ends"], kinds["name"]) == (
        "datepicker", "datepicker", "plain_text_input",
    )  # fmt: skip
    assert by_block["pitch_en"]["element"]["multiline"] is True
    assert by_block["audience"]["element"]["initial_option"]["value"] == "everyone"
    assert (by_block["ends"]["optional"], by_block["starts"]["optional"]) == (False, True)
    assert by_block["ends"]["label"]["text"] == "End date"


async def test_a_valid_submission_saves_a_draft_and_confirms_by_dm(
    slack: Slack, services: Services, ids: Ids
) -> None:
    view = await open_form(slack, "U15")
    answer = await submit(slack, "U15", view, VALID)
    (confirmation,) = await slack.fake.wait_for("chat.postMessage")
    campaign = await services.database.read(lambda s: s.exec(select(Campaign)).one())
    (audit,) = await audit_rows(services)
    assert answer == {}
    assert (campaign.state, campaign.name, campaign.community_id) == (
        "draft", "spring", ids.communities["C2"],
    )  # fmt: skip
    assert campaign.audience == {"kind": "members", "communities": [ids.communities["C1"]]}
    assert (campaign.max_sends, campaign.boost, campaign.pitch) == (
        40, 1.5, {"en": "Old threads, new friends"},
    )  # fmt: skip
    assert (audit.action, audit.source, audit.actor_id) == (
        "campaign.create", "form", ids.people["U15"],
    )  # fmt: skip
    assert confirmation.params["channel"] == "U15"
    assert "Campaign spring is saved as a draft (number 1)" in confirmation.params["text"]


async def test_an_invalid_submission_shows_errors_beside_the_fields(
    slack: Slack, services: Services, ids: Ids
) -> None:
    view = await open_form(slack, "U15")
    answer = await submit(slack, "U15", view, VALID | {"pitch_en": "", "ends": "2026-03-01"})
    assert answer == {
        "response_action": "errors",
        "errors": {
            "pitch_en": "write the pitch in English, in French or in both.",
            "ends": "the end date 2026-03-01 is before the start date 2026-04-01.",
        },
    }
    assert await counts(services) == (0, 0)
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_someone_who_is_not_an_animator_is_refused(
    slack: Slack, services: Services, ids: Ids
) -> None:
    view = await open_form(slack, "U1")
    answer = await submit(slack, "U1", view, VALID)
    assert answer["response_action"] == "errors"
    assert answer["errors"]["community"].startswith("Only animators of #archive-club")
    assert await counts(services) == (0, 0)
