"""The community settings modal over signed HTTP: `community #c`'s button opens it for an
animator; a submission saves the settings; problems show beside their field."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Community
from tests.adapters.slack.conftest import Slack, fixture
from tests.adapters.slack.test_commands_campaign_form import submit
from tests.support.campaigns import ready_workspace
from tests.support.fake_slack import TEAM

Json = dict[str, Any]


def garden(session: Session) -> Community:
    return session.exec(select(Community).where(Community.external_id == "C1")).one()


async def click(slack: Slack, person: str) -> None:
    payload = fixture("interactive/block_actions") | {"user": {"id": person, "team_id": TEAM}}
    payload["actions"][0] |= {"action_id": "engage.community.form:0", "value": "C1"}
    response = await slack.action(payload)
    assert response.status == 200


async def test_an_animator_edits_the_settings_in_a_modal(slack: Slack, services: Services) -> None:
    await ready_workspace(services)
    await slack.command("community #garden", user="U15")
    [(_, answer)] = [hook for hook in await _hooks(slack, 1)]
    assert "engage.community.form:0" in json.dumps(answer)
    await click(slack, "U15")
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [block["block_id"] for block in view["blocks"]] == ["pitch", "never_suggest", "welcome"]
    assert view["title"]["text"] == "Community settings"
    values = {"pitch": "Seeds and sun", "never_suggest": "on", "welcome": "Hi, gardener!"}
    assert await submit(slack, "U15", view, values) == {}
    found = await services.database.read(garden)
    assert (found.pitch, found.never_suggest, found.welcome) == (
        "Seeds and sun", True, "Hi, gardener!"
    )  # fmt: skip
    posted = await slack.fake.wait_for("chat.postMessage")
    assert "Saved: Pitch, Never suggest, Welcome line." in json.dumps(posted[-1].params["blocks"])
    answer = await submit(slack, "U15", view, {"pitch": "x" * 301})
    assert answer == {
        "response_action": "errors",
        "errors": {"pitch": "pitch: at most 300 characters."},
    }


async def test_others_get_the_refusal_instead_of_the_modal(
    slack: Slack, services: Services
) -> None:
    await ready_workspace(services)
    await click(slack, "U4")
    posted = await slack.fake.wait_for("chat.postMessage")
    assert posted[-1].params["text"] == (
        "Only animators of #garden (or a workspace admin) can change its settings."
    )
    assert slack.fake.calls_to("views.open") == []


async def _hooks(slack: Slack, count: int) -> list[tuple[str, Json]]:
    await slack.fake.wait_for("hook", count)
    return slack.fake.hooks
