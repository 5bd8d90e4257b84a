"""The Teams endpoint answers with every command: suggestion card clicks over real HTTP."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from bot.commands import Asker
from bot.services import Services
from bot.storage.models import Membership, Person
from nudges.planner.context import load_context
from nudges.planner.job import plan
from tests.adapters.teams.activities import TENANT, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_commands import texts
from tests.support.clock import FakeClock
from tests.support.suggestions import (
    TUESDAY,
    community_id,
    outbox_rows,
    person_id,
    suggestion_events,
    suggestion_router,
)

U7 = {"id": "29:1U7xQz0p9WvB3nK7mJ2sR5dF8gH4yU6iO1eW0qA", "name": "U7", "aadObjectId": "U7"}


async def suggested_button(services: Services, command: str) -> str:
    """U7, in our Teams tenant, started suggestions and got a card: its `command` button."""
    events = [
        dataclasses.replace(event, platform="teams", workspace=TENANT)
        for event in suggestion_events()
    ]
    await services.tracker.record(events)
    await services.tracker.fold()
    services.clock = FakeClock(TUESDAY)
    await suggestion_router(services).handle(Asker("teams", TENANT, "U7"), "start")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    return next(
        button["value"]
        for block in row.payload["card"]["blocks"]
        for button in block.get("buttons", [])
        if button["value"].startswith(command + " ")
    )


async def click(teams: TeamsServer, connector: FakeConnector, value: str) -> dict[str, Any]:
    """U7 clicks an Action.Execute button; the card that replaces the clicked one."""
    data = {"action": "engage.command", "value": value}
    invoke = activity("card_action_invoke", connector.url, **{"from": U7})
    invoke["value"]["action"] |= {"data": data}
    answer = await teams.post(invoke)
    assert (answer.status, answer.body["statusCode"]) == (200, 200)
    card: dict[str, Any] = answer.body["value"]
    return card


def membership_state(session: Session, channel: str) -> str | None:
    found = session.get(Membership, (person_id(session, "U7"), community_id(session, channel)))
    return found.state if found else None


async def test_follow_makes_a_follower(teams: TeamsServer, connector: FakeConnector) -> None:
    value = await suggested_button(teams.services, "follow")
    channel = value.split()[1]
    card = await click(teams, connector, value)
    assert texts(card)[0].startswith("You now follow #")
    state = await teams.services.database.read(lambda s: membership_state(s, channel))
    assert state == "follower"


async def test_join_answers_with_a_deep_link(teams: TeamsServer, connector: FakeConnector) -> None:
    value = await suggested_button(teams.services, "join")
    channel = value.split()[1]
    card = await click(teams, connector, value)
    assert "https://teams.microsoft.com/l/channel/" in texts(card)[0]
    assert channel in texts(card)[0]
    assert await teams.services.database.read(lambda s: membership_state(s, channel)) is None


async def test_never_hides_the_community_for_good(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    value = await suggested_button(teams.services, "never")
    channel = value.split()[1]
    card = await click(teams, connector, value)

    def excluded(session: Session) -> bool:
        u7, hidden = person_id(session, "U7"), community_id(session, channel)
        person = session.get(Person, u7)
        assert person is not None
        context = load_context(session, person.workspace_id, [u7], TUESDAY)
        return hidden in context.excluded[u7]

    assert "never be suggested to you again" in " ".join(texts(card))
    assert await teams.services.database.read(excluded)
