"""The delivery worker against an in-memory gateway: what is sent, when, and how often."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.cards import Heading
from bot.delivery import PermanentFailure, RetryAfter, TransientFailure
from bot.services import Services
from bot.settings import Settings
from bot.storage.models import Outbox, Person, Preference
from nudges.jobs import deliver
from nudges.outbox.worker import DeliveryWorker, SendCheck, allow_all
from tests.support.clock import FakeClock
from tests.support.gateways import FakeGateway
from tests.support.outbox import (
    TEAM,
    add_community,
    add_people,
    add_workspace,
    outbox,
    queue_suggestion,
    suggestion_states,
)

START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
USERS = ("U0ALICE01", "U0BRUNO02", "U0CHLOE03")


@dataclass
class World:
    services: Services
    gateway: FakeGateway
    clock: FakeClock
    people: list[int]

    async def run(self, may_send: SendCheck = allow_all) -> dict[str, int]:
        worker = DeliveryWorker(self.services, may_send=may_send, rng=random.Random(7))
        return dict(await worker.run())

    async def rows(self) -> dict[int, Outbox]:
        return await self.services.database.read(outbox)

    async def state(self, person: int) -> str:
        return (await self.rows())[person].state


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    tuned = settings.model_copy(
        update={"delivery_lease_seconds": 0.5, "delivery_max_attempts": 3, "platforms": ("slack",)}
    )
    services = Services.build(tuned)
    clock = FakeClock(START)
    services.clock = clock
    gateway = FakeGateway()
    services.gateways["slack"] = gateway

    def seed(session: Session) -> list[int]:
        workspace = add_workspace(session)
        people = add_people(session, workspace, *USERS)
        community = add_community(session, workspace)
        for person in people:
            queue_suggestion(session, person, community, not_before=START)
        return people

    people = await services.database.write(seed)
    yield World(services, gateway, clock, people)
    await services.stop()


async def test_due_rows_are_sent_once_with_their_reference(world: World) -> None:
    assert await world.run() == {"sent": 3}
    assert await world.run() == {}
    rows = await world.rows()
    assert {row.state for row in rows.values()} == {"sent"}
    assert sorted(recipient.person for recipient, _ in world.gateway.sent) == sorted(USERS)
    recipient, card = world.gateway.sent[0]
    assert (recipient.platform, recipient.workspace) == ("slack", TEAM)
    heading = card.blocks[0]
    assert isinstance(heading, Heading)
    assert heading.text == "A community you might like: #garden"
    delivered = rows[world.people[0]].payload["delivered"]
    assert delivered["conversation"] == "DU0ALICE01"
    assert rows[world.people[0]].sent_at == START
    assert set((await world.services.database.read(suggestion_states)).values()) == {"sent"}


async def test_rows_not_yet_due_wait(world: World) -> None:
    world.clock.now = START - timedelta(minutes=1)
    assert await world.run() == {}
    assert world.gateway.sent == []


async def test_rate_limit_is_honoured_without_waiting(world: World) -> None:
    world.gateway.script["U0ALICE01"] = [RetryAfter(30)]
    world.services.settings.delivery_concurrency = 1
    outcomes = await world.run()
    assert outcomes == {"pending": 1}
    alice = (await world.rows())[world.people[0]]
    assert (alice.state, alice.not_before, alice.attempts) == (
        "pending",
        START + timedelta(seconds=30),
        0,
    )
    # The workspace is paused: the others were not tried before the delay either.
    assert [recipient.person for recipient, _ in world.gateway.sent] == ["U0ALICE01"]
    world.clock.advance(seconds=29)
    assert await world.run() == {}
    world.clock.advance(seconds=1)
    assert await world.run() == {"sent": 3}
    assert world.gateway.calls_for("U0ALICE01") == 2


async def test_permanent_failure_is_never_retried(world: World) -> None:
    world.gateway.script["U0BRUNO02"] = [PermanentFailure("user_not_found")]
    assert await world.run() == {"sent": 2, "dead": 1}
    world.clock.advance(days=2)
    assert await world.run() == {}
    bruno = (await world.rows())[world.people[1]]
    assert (bruno.state, bruno.last_error) == ("dead", "permanent: user_not_found")
    assert world.gateway.calls_for("U0BRUNO02") == 1
    assert (await world.services.database.read(suggestion_states))[world.people[1]] == "failed"


async def test_transient_failures_back_off_then_give_up(world: World) -> None:
    world.gateway.script["U0CHLOE03"] = [TransientFailure("http_503")] * 5
    await world.run()
    waits = []
    for _ in range(2):
        chloe = (await world.rows())[world.people[2]]
        assert chloe.state == "pending"
        waits.append(chloe.not_before - world.clock.now)
        world.clock.now = chloe.not_before - timedelta(seconds=1)
        assert await world.run() == {}
        world.clock.advance(seconds=1)
        await world.run()
    chloe = (await world.rows())[world.people[2]]
    assert (chloe.state, chloe.attempts) == ("dead", 3)
    assert chloe.last_error == "gave up after 3 attempts: http_503"
    assert world.gateway.calls_for("U0CHLOE03") == 3
    assert timedelta(seconds=15) <= waits[0] <= timedelta(seconds=30)
    assert timedelta(seconds=30) <= waits[1] <= timedelta(seconds=60)


async def test_a_refused_consent_check_cancels_without_sending(world: World) -> None:
    def refuses_bruno(_session: Session, person_id: int, payload: dict[str, object]) -> bool:
        assert payload["kind"] == "suggestion"
        return person_id != world.people[1]

    assert await world.run(may_send=refuses_bruno) == {"sent": 2, "cancelled": 1}
    assert world.gateway.calls_for("U0BRUNO02") == 0
    assert await world.state(world.people[1]) == "cancelled"


async def test_person_who_stopped_while_queued_gets_nothing(world: World) -> None:
    def stop(session: Session) -> None:
        preference = session.get(Preference, world.people[0])
        assert preference is not None
        preference.consent = "out"
        session.add(preference)

    await world.services.database.write(stop)
    assert await deliver(world.services) == (
        "delivered: 2 sent, 0 to retry, 0 dead, 0 unknown, 1 cancelled"
    )
    assert world.gateway.calls_for("U0ALICE01") == 0
    assert (await world.services.database.read(suggestion_states))[world.people[0]] == "cancelled"


async def test_no_answer_within_the_send_timeout_is_unknown_and_never_resent(
    world: World,
) -> None:
    world.gateway.silent.add("U0ALICE01")
    assert await world.run() == {"sent": 2, "unknown": 1}
    world.clock.advance(days=1)
    assert await world.run() == {}
    assert world.gateway.calls_for("U0ALICE01") == 1


async def test_rows_left_sending_by_a_dead_process_become_unknown(world: World) -> None:
    def left_sending(session: Session) -> None:
        row = outbox(session)[world.people[0]]
        row.state, row.lease_until, row.attempts = "sending", START + timedelta(seconds=1), 1
        session.add(row)

    await world.services.database.write(left_sending)
    assert await world.run() == {"sent": 2}
    assert await world.state(world.people[0]) == "sending"
    world.clock.advance(seconds=2)
    assert await world.run() == {"unknown": 1}
    assert world.gateway.calls_for("U0ALICE01") == 0


async def test_rows_of_a_platform_without_gateway_stay_queued(world: World) -> None:
    del world.services.gateways["slack"]
    world.services.gateways["teams"] = FakeGateway(platform="teams")
    assert await world.run() == {}
    assert {row.state for row in (await world.rows()).values()} == {"pending"}


async def test_deleted_person_and_unreadable_card_are_dead(world: World) -> None:
    def spoil(session: Session) -> None:
        rows = outbox(session)
        rows[world.people[0]].payload = {"kind": "suggestion", "card": {"blocks": [{"type": "?"}]}}
        session.add(rows[world.people[0]])
        bruno = session.get(Person, world.people[1])
        assert bruno is not None
        bruno.deleted = True
        session.add(bruno)

    await world.services.database.write(spoil)
    assert await world.run() == {"sent": 1, "dead": 2}
    rows = await world.rows()
    assert rows[world.people[0]].last_error == "permanent: unreadable card: ValueError"
    assert rows[world.people[1]].last_error == "permanent: person deleted"
    assert [recipient.person for recipient, _ in world.gateway.sent] == ["U0CHLOE03"]


async def test_two_processes_delivering_at_once_send_each_row_once(world: World) -> None:
    def more(session: Session) -> None:
        workspace = add_workspace(session, team="T0DELIVER2")
        community = add_community(session, workspace, "C0RUNNING2")
        for person in add_people(session, workspace, *(f"U0MORE{i:03d}" for i in range(40))):
            queue_suggestion(session, person, community, not_before=START)

    await world.services.database.write(more)
    other = Services.build(world.services.settings)
    other.clock, other.gateways["slack"] = world.clock, world.gateway
    try:
        first, second = await asyncio.gather(
            DeliveryWorker(world.services).run(), DeliveryWorker(other).run()
        )
    finally:
        await other.stop()
    assert first["sent"] + second["sent"] == 43
    people = [recipient.person for recipient, _ in world.gateway.sent]
    assert len(people) == len(set(people)) == 43
