"""Consent checked again at send time: a queued suggestion is not sent after `stop`."""

from __future__ import annotations

from sqlmodel import Session

from bot.services import Services
from bot.storage.models import Preference
from nudges.jobs import deliver
from nudges.planner.job import plan
from nudges.policy.consent import PAUSED, STOPPED, send_check
from tests.support.clock import FakeClock
from tests.support.events import join
from tests.support.gateways import FakeGateway
from tests.support.outbox import add_community, add_people, add_workspace, queue_suggestion
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    person_id,
    suggestion_router,
    suggestions,
)


async def queued_for_u7(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    services.gateways = {"slack": FakeGateway()}
    await suggestion_router(services).handle(asker("U7"), "start")
    await plan(services)


async def test_stop_while_queued_means_not_sent(services: Services) -> None:
    await queued_for_u7(services)
    await suggestion_router(services).handle(asker("U7"), "stop")
    await deliver(services)
    gateway = services.gateways["slack"]
    assert isinstance(gateway, FakeGateway)
    assert gateway.sent == []
    [row] = await services.database.read(outbox_rows)
    [suggestion] = await services.database.read(suggestions)
    assert row.state == "cancelled"
    assert suggestion.state == "cancelled"


async def test_still_consenting_is_sent(services: Services) -> None:
    await queued_for_u7(services)
    await deliver(services)
    gateway = services.gateways["slack"]
    assert isinstance(gateway, FakeGateway)
    assert [recipient.person for recipient, _ in gateway.sent] == ["U7"]
    [suggestion] = await services.database.read(suggestions)
    assert suggestion.state == "sent"


async def test_the_hook_follows_pause_and_resume(services: Services) -> None:
    await queued_for_u7(services)
    check = send_check(services.settings, services.clock)
    [row] = await services.database.read(outbox_rows)
    router = suggestion_router(services)

    async def allowed() -> bool:
        return await services.database.read(lambda s: check(s, row.person_id, row.payload))

    assert await allowed()
    await router.handle(asker("U7"), "pause 1w")
    assert not await allowed()
    await router.handle(asker("U7"), "resume")
    assert await allowed()


async def test_the_hook_refuses_once_hidden(services: Services) -> None:
    await queued_for_u7(services)
    check = send_check(services.settings, services.clock)
    [row] = await services.database.read(outbox_rows)
    channel = "C4" if "follow C4" in str(row.payload["card"]) else "C5"
    await suggestion_router(services).handle(asker("U7"), f"never {channel}")
    assert not await services.database.read(lambda s: check(s, row.person_id, row.payload))


async def test_the_hook_refuses_once_joined_another_way(services: Services) -> None:
    await queued_for_u7(services)
    check = send_check(services.settings, services.clock)
    [row] = await services.database.read(outbox_rows)
    channel = "C4" if "follow C4" in str(row.payload["card"]) else "C5"
    await services.tracker.record([join("U7", channel, "2026-03-31", hour=8)])
    await services.tracker.fold()
    assert not await services.database.read(lambda s: check(s, row.person_id, row.payload))


async def test_introduction_only_while_consent_is_unknown(services: Services) -> None:
    await load_workspace(services)
    services.settings.consent_mode = "opt_out"
    check = send_check(services.settings)
    payload = {"kind": "introduction"}
    u7 = await services.database.read(lambda s: person_id(s, "U7"))
    assert await services.database.read(lambda s: check(s, u7, payload))
    await suggestion_router(services).handle(asker("U7"), "stop")
    assert not await services.database.read(lambda s: check(s, u7, payload))


async def test_two_suggestions_queued_for_one_week_send_one(services: Services) -> None:
    """Two suggestions for one person in one week (queued before the budget was enforced
    by the database): delivery sends the first and cancels the other as over budget."""
    gateway = FakeGateway()
    services.gateways = {"slack": gateway}

    def seed(session: Session) -> None:
        workspace = add_workspace(session)
        (person,) = add_people(session, workspace, "U0ALICE01")
        for channel in ("C0GARDEN1", "C0COOKING"):
            queue_suggestion(session, person, add_community(session, workspace, channel))

    await services.database.write(seed)
    assert (
        await deliver(services) == "delivered: 1 sent, 0 to retry, 0 dead, 0 unknown, 1 cancelled"
    )
    assert [recipient.person for recipient, _ in gateway.sent] == ["U0ALICE01"]
    rows = await services.database.read(outbox_rows)
    assert sorted(row.state for row in rows) == ["cancelled", "sent"]
    [refused] = [row for row in rows if row.state == "cancelled"]
    assert "weekly budget" in str(refused.last_error)
    states = sorted(s.state for s in await services.database.read(suggestions))
    assert states == ["cancelled", "sent"]


async def test_each_suggestion_within_a_larger_budget_is_sent(services: Services) -> None:
    services.settings.max_per_week = 2
    gateway = FakeGateway()
    services.gateways = {"slack": gateway}

    def seed(session: Session) -> None:
        workspace = add_workspace(session)
        (person,) = add_people(session, workspace, "U0ALICE01")
        session.get_one(Preference, person).max_per_week = 2
        for channel in ("C0GARDEN1", "C0COOKING", "C0RUNNING"):
            queue_suggestion(session, person, add_community(session, workspace, channel))

    await services.database.write(seed)
    assert (
        await deliver(services) == "delivered: 2 sent, 0 to retry, 0 dead, 0 unknown, 1 cancelled"
    )
    assert len(gateway.sent) == 2


async def test_the_question_to_an_animator_follows_stop_and_pause(services: Services) -> None:
    """ "May people follow you?" is Engage speaking on its own: stop and pause hold it too."""
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    check = send_check(services.settings, services.clock)
    payload = {"kind": "showcase_ask"}
    u7 = await services.database.read(lambda s: person_id(s, "U7"))
    router = suggestion_router(services)

    async def verdict() -> object:
        return await services.database.read(lambda s: check(s, u7, payload))

    assert await verdict() is True
    await router.handle(asker("U7"), "pause 1w")
    assert str(await verdict()) == str(PAUSED)
    await router.handle(asker("U7"), "resume")
    await router.handle(asker("U7"), "stop")
    assert str(await verdict()) == str(STOPPED)
