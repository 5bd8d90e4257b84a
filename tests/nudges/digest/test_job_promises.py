"""The digest keeps Engage's promises: nothing after `stop`, nothing while paused, and
never on the same local day as a suggestion — at planning time and at send time."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.services import Services
from nudges.digest import digest
from nudges.jobs import deliver
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.gateways import FakeGateway
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    suggestion_router,
)


async def following(services: Services, *commands: str) -> FakeClock:
    """U7 follows #cooking (and says `commands`), on Tuesday 10:30 in Paris."""
    await load_workspace(services)
    clock = FakeClock(TUESDAY)
    services.clock = clock
    services.gateways = {"slack": FakeGateway()}
    router = suggestion_router(services)
    for line in ("follow #cooking", *commands):
        await router.handle(asker("U7"), line)
    return clock


def digests_sent(services: Services) -> int:
    gateway = services.gateways["slack"]
    assert isinstance(gateway, FakeGateway)
    return sum(1 for _, card in gateway.sent if "weekly digest" in card.text())


async def test_a_stopped_person_receives_no_digest(services: Services) -> None:
    await following(services, "stop")
    assert await digest(services) == "queued 0 digest(s)"
    assert (await deliver(services)).startswith("delivered: 0 sent")
    assert digests_sent(services) == 0


async def test_stop_after_the_digest_was_queued_cancels_it(services: Services) -> None:
    await following(services)
    assert await digest(services) == "queued 1 digest(s)"
    await suggestion_router(services).handle(asker("U7"), "stop")
    assert "1 cancelled" in await deliver(services)
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    assert (row.state, row.last_error) == ("cancelled", "not sent: the person said stop")
    assert digests_sent(services) == 0


async def test_a_paused_person_gets_none_until_resume(services: Services) -> None:
    clock = await following(services, "pause 2w")
    assert await digest(services) == "queued 0 digest(s)"
    clock.advance(days=1)
    assert await digest(services) == "queued 0 digest(s)"
    await suggestion_router(services).handle(asker("U7"), "resume")
    assert await digest(services) == "queued 1 digest(s)"
    assert "1 sent" in await deliver(services)
    assert digests_sent(services) == 1


async def test_pause_after_the_digest_was_queued_holds_it_back(services: Services) -> None:
    await following(services)
    assert await digest(services) == "queued 1 digest(s)"
    await suggestion_router(services).handle(asker("U7"), "pause 1w")
    assert "1 cancelled" in await deliver(services)
    assert digests_sent(services) == 0


async def test_no_digest_on_the_day_of_a_suggestion(services: Services) -> None:
    clock = await following(services, "start")
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    assert await digest(services) == "queued 0 digest(s)"  # the day's message was the suggestion
    clock.advance(days=1)
    assert await digest(services) == "queued 1 digest(s)"
    kinds = [row.kind for row in await services.database.read(outbox_rows)]
    assert kinds == ["suggestion", "digest"]


async def test_no_suggestion_on_the_day_of_a_digest(services: Services) -> None:
    clock = await following(services, "start")
    assert await digest(services) == "queued 1 digest(s)"
    assert (await plan(services)).startswith("planned 0 suggestion(s)")
    clock.advance(days=1)
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    kinds = [row.kind for row in await services.database.read(outbox_rows)]
    assert kinds == ["digest", "suggestion"]


async def test_at_send_time_the_second_of_the_day_is_refused(services: Services) -> None:
    """Two jobs that overlap may both queue: whichever is sent second is held back."""
    await following(services, "start")
    assert await digest(services) == "queued 1 digest(s)"
    assert "1 sent" in await deliver(services)
    # As if a planning pass had read the day's messages before the digest was queued:
    await services.database.write(lambda session: _move_digests(session, days=-10))
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    await services.database.write(lambda session: _move_digests(session, days=10))
    assert "1 cancelled" in await deliver(services)
    [suggestion] = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    assert suggestion.state == "cancelled"
    assert suggestion.last_error == "not sent: another message reached the person this local day"


def _move_digests(session: Session, days: int) -> None:
    for row in outbox_rows(session, "digest"):
        row.created_at += timedelta(days=days)
        session.add(row)
