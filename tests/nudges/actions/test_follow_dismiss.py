"""Not now (90 days) and Not interested (for good), and how to undo them."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, select

from bot.cards import Actions, Button
from bot.commands import COMMAND_ACTION
from bot.services import Services
from bot.storage.models import Dismissal, Person
from nudges.planner.context import load_context
from nudges.planner.job import plan
from nudges.recommend.snapshot import read_snapshot
from tests.support.clock import FakeClock
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


async def test_not_interested_is_never_suggested_again(services: Services) -> None:
    await load_workspace(services)
    clock = FakeClock(TUESDAY)
    services.clock = clock
    router = suggestion_router(services)
    await router.handle(asker("U7"), "start")
    await plan(services)
    [row] = await services.database.read(outbox_rows)
    never = next(
        b["value"]
        for block in row.payload["card"]["blocks"]
        for b in block.get("buttons", [])
        if b["value"].startswith("never")
    )
    answer = await router.handle(asker("U7"), never)
    assert "will never be suggested to you again" in answer.text()
    hidden = row.payload["community_id"]
    for _week in range(6):
        clock.advance(weeks=1)
        await plan(services)
    later = await services.database.read(suggestions)
    assert later[0].state == "dismissed"
    assert later[0].dismissed_at == TUESDAY
    assert len(later) > 1
    assert all(s.community_id != hidden for s in later[1:])


def hidden_at(session: Session, moment: datetime) -> tuple[bool, bool]:
    """Is #cooking hidden from U7: (planner exclusions, recommender snapshot)?"""
    u7, cooking = person_id(session, "U7"), community_id(session, "C4")
    person = session.get(Person, u7)
    assert person is not None
    context = load_context(session, person.workspace_id, [u7], moment)
    snapshot = read_snapshot(session, person.workspace_id, moment).snapshot
    in_snapshot = any(d.person == u7 and d.community == cooking for d in snapshot.dismissals)
    return cooking in context.excluded[u7], in_snapshot


async def test_not_now_hides_for_90_days_only(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    answer = await suggestion_router(services).handle(asker("U7"), "notnow #cooking")
    assert "won't be suggested to you before 2026-06-29" in answer.text()
    for days, hidden in ((89, True), (91, False)):
        moment = TUESDAY + timedelta(days=days)
        assert services.database.read_sync(partial(hidden_at, moment=moment)) == (hidden, hidden)


async def test_unhide_undoes_both(services: Services) -> None:
    await load_workspace(services)
    router = suggestion_router(services)
    for command, channel in (("never #cooking", "C4"), ("notnow #running", "C5")):
        answer = await router.handle(asker("U7"), command)
        assert answer.blocks[-1] == Actions((Button("Undo", COMMAND_ACTION, f"unhide {channel}"),))
    undone = await router.handle(asker("U7"), "unhide C4")
    assert undone.text() == "#cooking may be suggested to you again."
    await router.handle(asker("U7"), "unhide C5")
    assert await services.database.read(lambda s: list(s.exec(select(Dismissal)))) == []
    assert (await router.handle(asker("U7"), "unhide C5")).text() == "#running was not hidden."
