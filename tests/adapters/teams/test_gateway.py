"""Proactive delivery through stored references: restarts, retries, blocks, limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from adapters.main import gateway_factories
from adapters.teams.gateway import RetryPolicy, SendLimiter, TeamsGateway, build_gateway
from bot.cards import Card, Paragraph
from bot.commands import Asker
from bot.delivery import Delivered, PermanentFailure, Recipient, RetryAfter, TransientFailure
from bot.gateways import install_gateways
from bot.services import Services
from bot.settings import Platform, Settings
from bot.storage.models import ConversationRef
from nudges.actions import full_router
from nudges.digest import digest
from nudges.outbox import card_from_data
from tests.adapters.teams.activities import (
    ALICE,
    BOB,
    BOB_ID,
    CAROL,
    CAROL_ID,
    GARDEN,
    PERSONAL,
    TENANT,
    activity,
)
from tests.adapters.teams.conftest import TeamsServer, serve_teams
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.clock import FakeClock
from tests.support.suggestions import outbox_rows

HELLO = Card((Paragraph("Hello from Engage"),))
ALICE_HERE = Recipient("teams", TENANT, ALICE)


class Clock:
    """A monotonic clock the recorded sleeps move forward."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def gateway(teams: TeamsServer, clock: Clock) -> TeamsGateway:
    policy = RetryPolicy(sleep=clock.sleep, jitter=lambda: 0.0)
    return TeamsGateway(
        teams.bot.adapter, teams.bot.contacts, "", policy=policy, limiter=SendLimiter(clock=clock)
    )


def card_texts(connector: FakeConnector, conversation: str) -> list[str]:
    return [
        block["text"]
        for sent in connector.sent_to(conversation)
        for attachment in sent.get("attachments") or []
        for block in attachment["content"]["body"]
        if block["type"] == "TextBlock"
    ]


async def test_a_stored_reference_survives_a_restart(
    settings: Settings, services: Services, connector: FakeConnector
) -> None:
    async with serve_teams(services) as first:
        await first.post(activity("personal_message", connector.url, text="help"))
    await services.stop()
    restarted = Services.build(settings)
    try:
        async with serve_teams(restarted):
            result = await restarted.gateways["teams"].send_card(ALICE_HERE, HELLO)
    finally:
        await restarted.stop()
    assert isinstance(result, Delivered)
    assert result.conversation == PERSONAL
    assert card_texts(connector, PERSONAL)[-1] == "Hello from Engage"


async def test_429_is_retried_after_retry_after_then_delivered(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    connector.fail_next(429, "TooManyRequests", Retry_After="3")
    result = await gateway(teams, clock).send_card(ALICE_HERE, HELLO)
    assert isinstance(result, Delivered)
    assert clock.slept == [3.0]
    assert connector.requests.count(f"POST {PERSONAL}") == 3
    assert card_texts(connector, PERSONAL)[-1] == "Hello from Engage"


async def test_a_long_retry_after_is_handed_back_to_the_delivery_worker(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    connector.fail_next(429, "TooManyRequests", Retry_After="120")
    result = await gateway(teams, clock).send_card(ALICE_HERE, HELLO)
    assert result == RetryAfter(120.0, "teams:429:TooManyRequests")
    assert clock.slept == []


async def test_server_errors_are_retried_with_backoff_then_reported_transient(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    for _ in range(4):
        connector.fail_next(503, "ServiceUnavailable")
    result = await gateway(teams, clock).send_card(ALICE_HERE, HELLO)
    assert result == TransientFailure("teams:503:ServiceUnavailable")
    assert clock.slept == [0.25, 0.5, 1.0]


async def test_403_marks_the_person_unreachable_and_is_never_retried(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    posts_before = connector.requests.count(f"POST {PERSONAL}")
    connector.fail_next(403, "MessageWritesBlocked")
    sender = gateway(teams, clock)
    first = await sender.send_card(ALICE_HERE, HELLO)
    second = await sender.send_card(ALICE_HERE, HELLO)

    def unreachable(session: Any) -> list[bool]:
        refs = session.execute(select(ConversationRef.unreachable_at)).scalars()
        return [moment is not None for moment in refs]

    assert first == PermanentFailure("teams:403:MessageWritesBlocked")
    assert second == PermanentFailure("teams:unreachable")
    assert connector.requests.count(f"POST {PERSONAL}") == posts_before + 1
    assert clock.slept == []
    assert await teams.services.database.read(unreachable) == [True]


async def test_a_team_member_gets_a_new_one_to_one_conversation_once(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("members_added", connector.url))
    sender = gateway(teams, clock)
    bob = Recipient("teams", TENANT, BOB)
    first = await sender.send_card(bob, HELLO)
    second = await sender.send_card(bob, HELLO)
    [created] = connector.created
    assert isinstance(first, Delivered)
    assert isinstance(second, Delivered)
    assert first.conversation == second.conversation == "a:created-1"
    assert created["members"] == [{"id": BOB_ID}]
    assert created["isGroup"] is False
    assert created["tenantID"] == TENANT
    assert card_texts(connector, "a:created-1") == ["Hello from Engage", "Hello from Engage"]


async def test_nobody_seen_is_a_permanent_failure(teams: TeamsServer, clock: Clock) -> None:
    result = await gateway(teams, clock).send_card(Recipient("teams", TENANT, "nobody"), HELLO)
    assert result == PermanentFailure("teams:no_conversation_reference")


async def test_a_card_is_updated_in_place(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    sender = gateway(teams, clock)
    sent = await sender.send_card(ALICE_HERE, HELLO)
    assert isinstance(sent, Delivered)
    updated = await sender.update_card(ALICE_HERE, sent, Card((Paragraph("Followed"),)))
    [(conversation, message, body)] = connector.updated
    assert updated == sent
    assert (conversation, message) == (PERSONAL, sent.message)
    assert body["attachments"][0]["content"]["body"][0]["text"] == "Followed"


async def test_sends_to_one_conversation_respect_the_per_second_limit(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("personal_install", connector.url))
    sender = gateway(teams, clock)
    for _ in range(8):
        assert isinstance(await sender.send_card(ALICE_HERE, HELLO), Delivered)
    assert clock.slept == [1.0]


async def test_join_links_open_the_team_or_the_channel(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("installation_update", connector.url))
    await teams.post(activity("channel_created", connector.url))
    sender = gateway(teams, clock)
    team = activity("installation_update", connector.url)["channelData"]["team"]
    channel = activity("channel_created", connector.url)["channelData"]["channel"]
    assert sender.community_link(TENANT, team["id"]) == (
        "https://teams.microsoft.com/l/team/19%3AZp3kQ1Xw8vN2LmTa5RcYbHd0JfUo7Se4%40thread.tacv2"
        f"/conversations?groupId={team['aadGroupId']}&tenantId={TENANT}"
    )
    assert sender.community_link(TENANT, channel["id"]).startswith(
        "https://teams.microsoft.com/l/channel/19%3A5eedc0ffee5eedc0ffee5eedc0ffee00%40thread.tacv2"
        f"/Seed%20swaps?groupId={team['aadGroupId']}"
    )


async def test_invites_are_not_something_a_teams_bot_can_do(
    teams: TeamsServer, clock: Clock
) -> None:
    assert await gateway(teams, clock).invite(ALICE_HERE, "19:x@thread.tacv2") == PermanentFailure(
        "teams:invite_unsupported"
    )


def test_processes_without_the_server_get_the_gateway_from_the_composition_root(
    settings: Settings,
) -> None:
    services = Services.build(settings.model_copy(update={"platforms": (Platform.TEAMS,)}))
    prod = Services.build(settings.model_copy(update={"env": "prod"}))
    try:
        assert install_gateways(services, gateway_factories()) == ["teams"]
        assert isinstance(services.gateways["teams"], TeamsGateway)
        assert build_gateway(prod) is None
    finally:
        services.database.close()
        prod.database.close()


async def test_a_thread_links_to_its_root_message(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    await teams.post(activity("installation_update", connector.url))
    await teams.post(activity("channel_created", connector.url))
    sender = gateway(teams, clock)
    team = activity("installation_update", connector.url)["channelData"]["team"]
    channel = activity("channel_created", connector.url)["channelData"]["channel"]["id"]
    link = await sender.thread_link(TENANT, channel, f"{channel}:1774603201512")
    assert link == (
        "https://teams.microsoft.com/l/message/19%3A5eedc0ffee5eedc0ffee5eedc0ffee00%40thread.tacv2"
        f"/1774603201512?groupId={team['aadGroupId']}&tenantId={TENANT}"
        "&parentMessageId=1774603201512"
    )
    assert await sender.thread_link(TENANT, channel, "no-thread") == sender.community_link(
        TENANT, channel
    )


async def test_the_digest_links_its_top_thread_to_the_thread(
    teams: TeamsServer, connector: FakeConnector, clock: Clock
) -> None:
    """A live reaction in a channel ends as a message deep link in a follower's digest."""
    del connector.members[CAROL_ID]  # Carol is not in the team, so she may follow its channel
    services = teams.services
    await teams.post(activity("installation_update", connector.url))
    await teams.post(activity("reaction_added", connector.url))
    await services.tracker.fold()
    services.clock = FakeClock(datetime(2026, 3, 31, 10, 30, tzinfo=UTC))
    services.gateways = {"teams": gateway(teams, clock)}
    router = full_router(services)
    answer = await router.handle(Asker("teams", TENANT, CAROL), f"follow {GARDEN}")
    assert "follow" in answer.text().lower()
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    team = activity("installation_update", connector.url)["channelData"]["team"]
    text = card_from_data(row.payload["card"]).text()
    assert (
        "https://teams.microsoft.com/l/message/19%3A8f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f%40thread.tacv2"
        f"/1774603201512?groupId={team['aadGroupId']}&tenantId={TENANT}"
        "&parentMessageId=1774603201512 (1 reactions)"
    ) in text
