"""The community stats card shows the suggestion funnel once enough were delivered."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.commands import Asker
from bot.commands.core import core_router
from bot.services import Services
from bot.storage.models import Community, Person, Suggestion
from tests.support.events import WORKSPACE
from tests.support.workspace import AS_OF, handcrafted_events


def suggest_garden(session: Session, count: int, *, followed: bool) -> None:
    garden = session.exec(select(Community).where(Community.name == "garden")).one()
    people = session.exec(select(Person).order_by(col(Person.id))).all()[:count]
    sent = datetime.combine(AS_OF, time(10), tzinfo=UTC) - timedelta(days=7)
    for person in people:
        assert person.id is not None
        assert garden.id is not None
        session.add(
            Suggestion(person_id=person.id, community_id=garden.id, state="sent", sent_at=sent,
                       followed_at=sent + timedelta(days=1) if followed else None)
        )  # fmt: skip


async def test_funnel_line_only_from_the_minimum_group(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(15), tzinfo=UTC)
    router = core_router(services)
    asker = Asker("slack", WORKSPACE, "U1")
    await services.database.write(lambda s: suggest_garden(s, 4, followed=True))
    assert "Suggestions delivered" not in (await router.handle(asker, "stats #garden")).text()
    await services.database.write(lambda s: suggest_garden(s, 3, followed=False))
    text = (await router.handle(asker, "stats #garden")).text()
    assert (
        "Suggestions delivered: 7 → fewer than 5 followed → fewer than 5 joined → "
        "fewer than 5 posted within 30 days"
    ) in text
    assert text.endswith("Engage never reads message text.")
