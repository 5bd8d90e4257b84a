"""The bulk insert stores what a plain insert would, in the callers' order, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot.events import CommunityCreated, Event, MessagePosted, PersonSeen
from bot.services import Services
from bot.storage.models import Community, DailyActivity, InboxEvent, Person
from bot.synth import SynthSpec, build_world
from bot.tracker import record_chunk
from bot.tracker.inbox import row_to_event

SPEC = SynthSpec(people=70, communities=8, days=120, end=date(2026, 3, 2), seed=2)


def stored_events(session: Session) -> list[Event]:
    rows = session.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
    return [
        row_to_event(
            platform=row.platform, workspace=row.workspace, event_key=row.event_key,
            kind=row.kind, occurred_at=row.occurred_at, person=row.person,
            community=row.community, target_person=row.target_person,
            thread_key=row.thread_key, attrs=row.attrs,
        )
        for row in rows
    ]  # fmt: skip


async def test_events_come_back_unchanged_and_in_order(services: Services) -> None:
    events = list(build_world(SPEC).events())
    assert len(events) > 5000  # more than one bulk transaction
    summary = await services.tracker.record_bulk(events)
    assert (summary.new, summary.duplicates) == (len(events), 0)
    assert await services.database.read(stored_events) == events
    assert all(not row.processed for row in await services.database.read(
        lambda s: s.exec(select(InboxEvent)).all()
    ))  # fmt: skip


async def test_several_chunks_in_one_transaction_count_each_event_once(
    services: Services,
) -> None:
    events = list(build_world(SPEC).events())[:900]
    first, second = events[:600], events[300:]

    def both(session: Session) -> tuple[int, int, int, int]:
        a, b = record_chunk(session, first), record_chunk(session, second)
        return a.new, a.duplicates, b.new, b.duplicates

    assert await services.database.write(both) == (600, 0, 300, 300)
    assert await services.database.read(stored_events) == events


async def test_text_that_no_database_stores_is_cleaned_on_the_bulk_path(
    services: Services,
) -> None:
    moment = datetime(2026, 3, 2, 12, tzinfo=UTC)
    common = {"platform": "slack", "workspace": "T\u00001", "occurred_at": moment}
    events: list[Event] = [
        PersonSeen(**common, key="p\u00001", person="U\u00001", display_name="Ma\u0000ya\udc00"),
        CommunityCreated(**common, key="c1", community="C1", name="gen\u0000eral", creator="U1"),
        MessagePosted(**common, key="m1", person="U1", community="C\u00001"),
    ]
    assert (await services.tracker.record_bulk(events)).new == 3
    assert await services.tracker.fold() == 3

    def stored(session: Session) -> tuple[list[str | None], list[str], list[int]]:
        people = session.exec(select(Person.display_name))
        communities = session.exec(select(Community.name))
        posts = session.exec(select(DailyActivity.posts))
        return list(people), list(communities), list(posts)

    assert await services.database.read(stored) == (["Maya"], ["general"], [1])
