"""One definition of rhythm: a busy community three weeks old is `new` on every surface —
stats, top, its suggestion card, the digest, the report and the recommender."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from bot.events import CommunityCreated, Event
from bot.metrics import community_stats, top_communities
from bot.metrics.definitions import observed_weeks, rhythm
from bot.report.page import build_report
from bot.services import Services
from bot.storage.models import Workspace
from nudges.digest import digest
from nudges.outbox import card_from_data
from nudges.planner.job import plan
from nudges.recommend.model import build_index
from nudges.recommend.snapshot import read_snapshot
from tests.support.clock import FakeClock
from tests.support.events import WORKSPACE, at, join, post
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    outbox_rows,
    suggestion_events,
    suggestion_router,
)

BORN = date(2026, 3, 9)
"""Baking is created on the Monday three ISO weeks before TUESDAY's week."""


def baking() -> list[Event]:
    events: list[Event] = [
        CommunityCreated(
            platform="slack",
            workspace=WORKSPACE,
            key="created:C7",
            occurred_at=at(BORN.isoformat(), 8),
            community="C7",
            name="baking",
            creator="U15",
        )
    ]
    people = [f"U{i}" for i in range(9, 15)]
    events += [join(person, "C7", BORN.isoformat()) for person in people]
    for week in range(3):
        day = (BORN + timedelta(weeks=week, days=1)).isoformat()
        events += [post(person, "C7", day) for person in people]
    return events


def test_the_thresholds() -> None:
    assert [rhythm(weeks) for weeks in (12, 9, 8, 4, 3, 0)] == [
        "steady", "steady", "intermittent", "intermittent", "dormant", "dormant"
    ]  # fmt: skip
    assert rhythm(3, observed_weeks(BORN, date(2026, 3, 29))) == "new"
    assert rhythm(1, 4) == "dormant"  # active in a quarter of its weeks or fewer: dormant
    assert rhythm(2, 4) == "new"
    assert observed_weeks(None, date(2026, 3, 29)) == 12
    assert observed_weeks(date(2025, 1, 1), date(2026, 3, 29)) == 12


async def test_a_three_week_old_busy_community_is_new_everywhere(services: Services) -> None:
    await services.tracker.record(suggestion_events() + baking())
    await services.tracker.fold()
    services.clock = FakeClock(TUESDAY)
    services.gateways = {}
    router = suggestion_router(services)
    today = TUESDAY.date()

    stats = await router.handle(asker("U7"), "stats #baking")
    assert "#baking · new rhythm" in stats.text()
    fr = await router.handle(asker("U8", locale="fr"), "stats #baking")
    assert "#baking · rythme nouveau" in fr.text()

    def figures(session: Session) -> tuple[str, str, str, str]:
        workspace = session.exec(select(Workspace)).one()
        assert workspace.id is not None
        baking_id = community_id(session, "C7")
        card = community_stats(session, baking_id, today, 5)
        ranked = {c.name: c for c in top_communities(session, workspace.id, today, 5, limit=50)}
        index = build_index(read_snapshot(session, workspace.id, TUESDAY).snapshot, TUESDAY)
        report = build_report(session, services.settings, workspace.id, "baking", today, "en")
        shown = "new" if "<dt>Rhythm</dt><dd>new</dd>" in report else report
        return str(card.rhythm), ranked["baking"].rhythm, index.rhythm[baking_id].label, shown

    assert await services.database.read(figures) == ("new", "new", "new", "new")
    top = await router.handle(asker("U7"), "top")
    assert "#baking · new · 3/12 active weeks" in top.text()

    # Its suggestion card: U7 hides the other candidates, so the planner picks #baking.
    for line in ("start", "never #cooking", "never #running"):
        await router.handle(asker("U7"), line)
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    [row] = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    assert row.payload["card"]["fallback"] == "A community you might like: #baking"
    card = card_from_data(row.payload["card"]).text()
    assert "Rhythm: new · active 3 of the last 12 weeks" in card

    # The digest, the next day (one message a day).
    await router.handle(asker("U7"), "follow #baking")
    services.clock = FakeClock(TUESDAY + timedelta(days=1))
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    assert "#baking: new rhythm · 6 posts last week" in card_from_data(row.payload["card"]).text()
