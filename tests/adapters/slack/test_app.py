"""The Slack app answers with every command: suggestion card clicks over real HTTP."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.services import Services
from bot.storage.models import Membership, Person
from nudges.planner.context import load_context
from nudges.planner.job import plan
from tests.adapters.slack.conftest import Slack, fixture
from tests.adapters.slack.test_commands import texts
from tests.support.clock import FakeClock
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
)


async def suggested_button(services: Services, command: str) -> str:
    """U7 started suggestions and was sent one card; the value of its `command` button."""
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    await suggestion_router(services).handle(asker("U7"), "start")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    return next(
        button["value"]
        for block in row.payload["card"]["blocks"]
        for button in block.get("buttons", [])
        if button["value"].startswith(command + " ")
    )


async def click(slack: Slack, value: str) -> dict[str, Any]:
    """U7 clicks a button of the suggestion DM; the answer that replaced the message."""
    payload = fixture("interactive/block_actions")
    payload["user"] = payload["user"] | {"id": "U7"}
    payload["container"] = {"type": "message", "message_ts": "1774700000.000100"}
    payload["channel"] = {"id": "D7", "name": "directmessage"}
    payload["actions"][0] = payload["actions"][0] | {"value": value}
    response = await slack.action(payload)
    assert response.status == 200
    await slack.fake.wait_for("hook")
    return slack.fake.hooks[-1][1]


def membership_state(session: Session, channel: str) -> str | None:
    found = session.get(Membership, (person_id(session, "U7"), community_id(session, channel)))
    return found.state if found else None


async def test_follow_makes_a_follower_and_replaces_the_card(
    slack: Slack, services: Services
) -> None:
    value = await suggested_button(services, "follow")
    channel = value.split()[1]
    answer = await click(slack, value)
    assert value.endswith(tuple(f"--suggestion {n}" for n in range(1, 10)))
    assert answer["replace_original"] is True
    assert texts(answer)[0].startswith("You now follow #")
    state = await services.database.read(lambda s: membership_state(s, channel))
    assert state == "follower"


async def test_join_invites_through_conversations_invite(slack: Slack, services: Services) -> None:
    value = await suggested_button(services, "join")
    channel = value.split()[1]
    answer = await click(slack, value)
    [invite] = slack.fake.calls_to("conversations.invite")
    assert (invite.params["channel"], invite.params["users"]) == (channel, "U7")
    assert texts(answer)[0].startswith("You joined #")
    assert await services.database.read(lambda s: membership_state(s, channel)) == "member"


async def test_never_hides_the_community_for_good(slack: Slack, services: Services) -> None:
    value = await suggested_button(services, "never")
    channel = value.split()[1]
    answer = await click(slack, value)

    def excluded(session: Session) -> bool:
        u7, hidden = person_id(session, "U7"), community_id(session, channel)
        person = session.get(Person, u7)
        assert person is not None
        context = load_context(session, person.workspace_id, [u7], TUESDAY)
        return hidden in context.excluded[u7]

    assert "never be suggested to you again" in " ".join(texts(answer))
    assert await services.database.read(excluded)
