"""Join: a platform invite on the person's own click, else a deep link."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.delivery import DeliveryResult, PermanentFailure, Recipient
from bot.services import Services
from bot.storage.models import Membership
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.events import WORKSPACE
from tests.support.gateways import FakeGateway
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
    suggestions,
)


@dataclass
class NoInviteGateway(FakeGateway):
    """A platform where the bot may not invite (not in the channel, say)."""

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        self.invited.append((recipient, community))
        return PermanentFailure("not_in_channel")


def state(session: Session, user: str, channel: str) -> str | None:
    found = session.get(Membership, (person_id(session, user), community_id(session, channel)))
    return found.state if found else None


async def join_click(services: Services) -> tuple[str, str]:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    await router.handle(asker("U7"), "start")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    value = next(
        b["value"]
        for block in row.payload["card"]["blocks"]
        for b in block.get("buttons", [])
        if b["value"].startswith("join")
    )
    return value.split()[1], (await router.handle(asker("U7"), value)).text()


async def test_join_click_invites_the_person(services: Services) -> None:
    gateway = FakeGateway()
    services.gateways = {"slack": gateway}
    channel, text = await join_click(services)
    assert gateway.invited == [(Recipient("slack", WORKSPACE, "U7"), channel)]
    assert text.startswith("You joined #")
    assert f"https://example.invalid/{WORKSPACE}/{channel}" in text
    assert await services.database.read(lambda s: state(s, "U7", channel)) == "member"
    [suggestion] = await services.database.read(suggestions)
    assert suggestion.state == "joined"
    assert suggestion.joined_at == TUESDAY


async def test_no_invite_means_a_deep_link_and_no_membership(services: Services) -> None:
    gateway = NoInviteGateway()
    services.gateways = {"slack": gateway}
    channel, text = await join_click(services)
    assert len(gateway.invited) == 1
    assert text.startswith("Open #")
    assert text.endswith(f"to join it: https://example.invalid/{WORKSPACE}/{channel}")
    assert await services.database.read(lambda s: state(s, "U7", channel)) is None
    [suggestion] = await services.database.read(suggestions)
    assert suggestion.state == "sent"  # it was seen: the click says so
    assert suggestion.answered_at == TUESDAY
    assert suggestion.joined_at is None


async def test_without_a_gateway_and_for_members(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    text = (await router.handle(asker("U7"), "join #cooking")).text()
    assert text == "Open #cooking in your chat app to join it."
    assert (
        (await router.handle(asker("U1"), "join #cooking"))
        .text()
        .startswith("You are already a member of #cooking.")
    )
