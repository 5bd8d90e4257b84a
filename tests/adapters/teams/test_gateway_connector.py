"""Every Bot Connector call is bounded by ENGAGE_API_TIMEOUT_SECONDS, and none is awaited
before Teams gets its acknowledgement: tested against a connector that never answers."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, select

from adapters.teams.app import Authenticator, bot_framework_config
from adapters.teams.contacts import ContactBook, facts_from
from adapters.teams.gateway import RetryPolicy, TeamsGateway
from bot.cards import Card, Paragraph
from bot.delivery import Recipient, TransientFailure
from bot.services import Services
from bot.settings import Settings
from bot.storage.models import InboxEvent, Person
from nudges.outbox.worker import DeliveryWorker
from tests.adapters.teams.activities import ALICE, APP_ID, TENANT, activity
from tests.adapters.teams.conftest import serve_teams
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.black_hole import BlackHole
from tests.support.logs import LogWatch
from tests.support.outbox import add_community, outbox, queue_suggestion

# Teams resends an activity it got no answer for within a few seconds.
TIMEOUT = 3.0


@pytest.fixture
async def black_hole() -> AsyncIterator[BlackHole]:
    async with BlackHole() as hole:
        yield hole


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_timeout_seconds": TIMEOUT})


async def no_wait(_seconds: float) -> None:
    return None


async def test_a_message_is_acknowledged_while_the_connector_never_answers(
    services: Services, black_hole: BlackHole
) -> None:
    message = activity("personal_message", black_hole.url, text="help")
    async with serve_teams(services) as teams:
        with LogWatch("engage.teams") as logs:
            answer = await asyncio.wait_for(teams.acknowledge(message), TIMEOUT)
            failed_at_ack = logs.seen("failed")
            await black_hole.wait_for_connections()
            await asyncio.wait_for(teams.bot.beside.settled(), 3 * TIMEOUT)
            again = await asyncio.wait_for(
                teams.acknowledge(activity("channel_message", black_hole.url)), TIMEOUT
            )
    stored = await services.database.read(
        lambda session: list(session.exec(select(InboxEvent.kind)))
    )
    assert answer.status == 200
    assert not failed_at_ack
    assert logs.seen("Teams turn failed for a message activity")
    assert "message" in stored
    assert again.status == 200
    assert black_hole.accepted == 1


async def test_a_send_the_connector_never_answers_is_retried_later(
    settings: Settings, black_hole: BlackHole
) -> None:
    # The worker gives a send half the lease; past it, the message is `unknown` for good.
    services = Services.build(settings.model_copy(update={"delivery_lease_seconds": 10 * TIMEOUT}))
    try:
        async with serve_teams(services) as teams:
            await teams.bot.contacts.remember(
                facts_from(activity("personal_install", black_hole.url))
            )
            services.gateways["teams"] = TeamsGateway(
                teams.bot.adapter, teams.bot.contacts, "", policy=RetryPolicy(sleep=no_wait)
            )

            def seed(session: Session) -> int:
                alice = session.exec(select(Person).where(Person.external_id == ALICE)).one()
                assert alice.id is not None
                queue_suggestion(session, alice.id, add_community(session, alice.workspace_id))
                return alice.id

            person = await services.database.write(seed)
            outcomes = await DeliveryWorker(services).run()
            row = (await services.database.read(outbox))[person]
    finally:
        await services.stop()
    assert dict(outcomes) == {"pending": 1}
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "teams:network:ClientRequestError"
    assert black_hole.accepted == RetryPolicy().attempts


async def test_a_token_microsoft_never_issues_fails_the_send_and_stalls_nothing(
    settings: Settings, services: Services, black_hole: BlackHole, connector: FakeConnector
) -> None:
    timeout = 1.0
    with_app = settings.model_copy(
        update={
            "teams_app_id": APP_ID,
            "teams_app_password": "a-real-looking-client-secret",
            "teams_openid_metadata_url": "http://127.0.0.1:9/v1/.well-known/openidconfiguration",
        }
    )
    # MSAL only speaks https: the black hole never completes the TLS handshake either.
    login = black_hole.url.replace("http://", "https://") + "adfs"
    config = dataclasses.replace(
        bot_framework_config(with_app), TO_CHANNEL_FROM_BOT_LOGIN_URL=login
    )
    contacts = ContactBook(services.database)
    await contacts.remember(facts_from(activity("personal_install", connector.url)))
    adapter = Authenticator(config, timeout=timeout).cloud_adapter()
    gateway = TeamsGateway(adapter, contacts, APP_ID, policy=RetryPolicy(attempts=1))
    card = Card((Paragraph("Hello from Engage"),))
    sending = asyncio.create_task(gateway.send_card(Recipient("teams", TENANT, ALICE), card))
    # The black hole accepts on this event loop: only a free loop sees the token request.
    await black_hole.wait_for_connections()
    sending_meanwhile = not sending.done()
    result = await asyncio.wait_for(sending, 10 * timeout)
    assert sending_meanwhile
    assert result == TransientFailure("teams:network:ClientRequestError")
    assert connector.sent == []
