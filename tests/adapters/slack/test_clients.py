"""Every Slack Web API call is bounded by ENGAGE_API_TIMEOUT_SECONDS, and none is awaited
before Slack gets its acknowledgement: tested against a Slack API that never answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session

from adapters.slack.gateway import SlackGateway
from adapters.slack.installs import SingleWorkspace
from adapters.web.app import create_app
from bot.errors import EngageError
from bot.services import Services
from bot.settings import Settings, load_settings
from nudges.outbox.worker import DeliveryWorker
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, fixture, inbox
from tests.support.black_hole import BlackHole
from tests.support.fake_slack import BOT_TOKEN
from tests.support.logs import LogWatch
from tests.support.outbox import add_community, add_people, add_workspace, outbox, queue_suggestion

# Slack's own limit for an acknowledgement; the lookups behind it may take as long.
TIMEOUT = 3.0


@pytest.fixture
async def black_hole() -> AsyncIterator[BlackHole]:
    async with BlackHole() as hole:
        yield hole


@pytest.fixture
def settings(database_url: str, black_hole: BlackHole) -> Settings:
    return load_settings(
        env_file=None,
        database_url=database_url,
        port=0,
        platforms="slack",
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=black_hole.url,
        api_timeout_seconds=TIMEOUT,
    )


async def test_an_unknown_person_is_acknowledged_while_slack_does_not_answer(
    slack: Slack, services: Services, black_hole: BlackHole
) -> None:
    with LogWatch("engage.slack") as logs:
        answer = await asyncio.wait_for(slack.event(fixture("events/message")), TIMEOUT)
        lookup_over_at_ack = logs.seen("users.info")
        stored = [row.event_key for row in await inbox(services)]
        await black_hole.wait_for_connections()
        failure = await logs.wait_for("users.info got no answer", within=TIMEOUT + 10)
        reaction = await asyncio.wait_for(slack.event(fixture("events/reaction_added")), TIMEOUT)
    assert answer.status == 200
    assert not lookup_over_at_ack
    assert stored == ["C1:1774360931.000200"]
    assert failure.startswith("users.info got no answer for U1: ")
    assert "canary" not in " ".join(logs.messages)
    assert reaction.status == 200
    assert len(await inbox(services)) == 2


async def test_a_send_slack_never_answers_is_retried_later(
    settings: Settings, black_hole: BlackHole
) -> None:
    # The worker gives a send half the lease; past it, the message is `unknown` for good.
    services = Services.build(settings.model_copy(update={"delivery_lease_seconds": 4 * TIMEOUT}))
    services.gateways["slack"] = SlackGateway(settings, SingleWorkspace(BOT_TOKEN))

    def seed(session: Session) -> int:
        workspace = add_workspace(session)
        (person,) = add_people(session, workspace, "U0ALICE01")
        queue_suggestion(session, person, add_community(session, workspace))
        return person

    try:
        person = await services.database.write(seed)
        outcomes = await DeliveryWorker(services).run()
        row = (await services.database.read(outbox))[person]
    finally:
        await services.stop()
    assert black_hole.accepted == 1
    assert dict(outcomes) == {"pending": 1}
    assert (row.state, row.attempts) == ("pending", 1)
    assert "Timeout" in str(row.last_error)


async def test_socket_mode_gives_up_connecting_to_a_slack_that_never_answers(
    settings: Settings, black_hole: BlackHole
) -> None:
    socket_mode = settings.model_copy(
        update={"slack_mode": "socket", "slack_app_token": "xapp-1-A07ENGAGE01-7081264813-4c1d9a"}
    )
    services = Services.build(socket_mode)
    server = TestServer(create_app(socket_mode, services=services), host="127.0.0.1", port=0)
    try:
        with pytest.raises(EngageError) as refused:
            await asyncio.wait_for(server.start_server(), 3 * TIMEOUT)
    finally:
        await server.close()
        await services.stop()
    assert black_hole.accepted == 1
    assert str(refused.value) == "Slack Socket Mode could not connect: TimeoutError"


async def test_an_install_slack_never_confirms_fails_within_the_timeout(
    settings: Settings, black_hole: BlackHole
) -> None:
    with_oauth = settings.model_copy(
        update={
            "slack_bot_token": "",
            "slack_client_id": "2478213.7081264813",
            "slack_client_secret": "5c1e0f7b9d2a4c6e8f0a1b3c5d7e9f01",
            "secret_key": "q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a",
        }
    )
    services = Services.build(with_oauth)
    try:
        async with TestClient(TestServer(create_app(with_oauth, services=services))) as web:
            page = await web.get("/slack/install")
            state = page.cookies["slack-app-oauth-state"].value
            with LogWatch("engage.slack.oauth") as logs:
                done = await asyncio.wait_for(
                    web.get(
                        "/slack/oauth_redirect",
                        params={"code": "7081264813.2478213.abc", "state": state},
                        headers={"Cookie": f"slack-app-oauth-state={state}"},
                    ),
                    3 * TIMEOUT,
                )
    finally:
        await services.stop()
    assert black_hole.accepted == 1
    assert done.status == 401
    assert logs.seen("oauth.v2.access got no answer: ")
