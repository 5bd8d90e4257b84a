"""The planner end to end on the handcrafted workspace: consent, window, budget, dedup."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.commands import COMMAND_ACTION
from bot.services import Services
from nudges.jobs import deliver
from nudges.outbox import card_from_data
from nudges.planner.context import load_context
from nudges.planner.job import Pick, plan
from nudges.planner.write import write_picks
from nudges.policy.consent import load_recipients
from tests.support.clock import FakeClock
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


async def started(services: Services, *users: str) -> None:
    router = suggestion_router(services)
    for user in users:
        await router.handle(asker(user), "start")


async def test_one_suggestion_for_each_person_who_started(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    await started(services, "U7")
    summary = await plan(services)
    assert summary.startswith("planned 1 suggestion(s) and 0 introduction(s)")

    def check(session: Session) -> None:
        u7 = person_id(session, "U7")
        [row] = outbox_rows(session)
        [suggestion] = suggestions(session)
        assert row.person_id == suggestion.person_id == u7
        assert suggestion.state == "planned"
        assert suggestion.community_id in (community_id(session, "C4"), community_id(session, "C5"))
        assert row.dedup_key == f"suggestion:{u7}:{suggestion.community_id}:2026-W14"
        assert row.kind == row.payload["kind"] == "suggestion"
        assert row.payload["suggestion_id"] == suggestion.id
        assert any(reason["code"] == "rhythm" for reason in suggestion.reasons)
        card = card_from_data(row.payload["card"])
        buttons = [b for block in card.blocks if hasattr(block, "buttons") for b in block.buttons]
        assert {b.action for b in buttons} == {COMMAND_ACTION}
        channel = "C4" if suggestion.community_id == community_id(session, "C4") else "C5"
        assert [b.value for b in buttons] == [
            f"follow {channel} --suggestion {suggestion.id}",
            f"join {channel} --suggestion {suggestion.id}",
            f"notnow {channel} --suggestion {suggestion.id}",
            f"never {channel} --suggestion {suggestion.id}",
            "stop",
        ]
        assert "steady" in card.text()
        assert "of the last 12 weeks" in card.text()

    await services.database.read(check)


async def test_budget_holds_across_passes_days_and_weeks(services: Services) -> None:
    await load_workspace(services)
    clock = FakeClock(TUESDAY)
    services.clock = clock
    await started(services, "U7")
    await plan(services)
    await plan(services)
    clock.advance(days=1)
    await plan(services)
    assert len(await services.database.read(suggestions)) == 1
    clock.advance(days=6)  # Tuesday of the next ISO week
    await plan(services)
    first, second = await services.database.read(suggestions)
    assert first.person_id == second.person_id
    assert first.community_id != second.community_id, "a recent suggestion is not repeated"


async def test_nobody_outside_their_window(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY - timedelta(hours=1))  # 09:30 in Paris
    await started(services, "U7", "U16")  # U16 has no time zone: UTC, 07:30
    assert (await plan(services)).startswith("planned 0 suggestion(s)")
    services.clock = FakeClock(TUESDAY + timedelta(hours=2))  # 12:30 Paris, 10:30 UTC
    await plan(services)
    people = {s.person_id for s in await services.database.read(suggestions)}
    assert len(people) == 2


async def test_opt_out_mode_introduces_before_any_suggestion(services: Services) -> None:
    await load_workspace(services)
    services.settings.consent_mode = "opt_out"
    clock = FakeClock(TUESDAY)
    services.clock = clock
    services.gateways = {"slack": FakeGateway()}
    await started(services, "U8")  # said yes explicitly: no introduction needed
    await suggestion_router(services).handle(asker("U1"), "stop")
    await plan(services)
    introductions = await services.database.read(lambda s: outbox_rows(s, "introduction"))
    suggested = {s.person_id for s in await services.database.read(suggestions)}
    u1, u7, u8 = await services.database.read(
        lambda s: [person_id(s, user) for user in ("U1", "U7", "U8")]
    )
    introduced = {row.person_id for row in introductions}
    assert u7 in introduced
    assert u8 not in introduced
    assert u1 not in introduced
    assert suggested == {u8}
    card = card_from_data(introductions[0].payload["card"])
    assert "Stop suggestions" in card.text()
    await deliver(services)
    await plan(services)  # the same day: the introduction was today's message
    assert {s.person_id for s in await services.database.read(suggestions)} == {u8}
    clock.advance(days=1)
    await plan(services)
    suggested = {s.person_id for s in await services.database.read(suggestions)}
    assert u7 in suggested
    assert u1 not in suggested


async def test_a_key_already_queued_is_not_queued_twice(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    await started(services, "U7")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    [suggestion] = await services.database.read(suggestions)

    # A second planner racing the first: same person, community and week.
    def replan(session: Session) -> int:
        recipients = {r.person_id: r for r in load_recipients(session, TUESDAY, started_only=True)}
        workspace_id = recipients[suggestion.person_id].workspace_id
        context = load_context(session, workspace_id, recipients, TUESDAY)
        pick = Pick(suggestion.person_id, suggestion.community_id, 1.0, [], {"en": "x", "fr": "x"})
        return write_picks(session, [pick], recipients, context, services.settings, TUESDAY)

    assert await services.database.write(replan) == 0
    assert len(await services.database.read(suggestions)) == 1
    assert [r.id for r in await services.database.read(outbox_rows)] == [row.id]
