"""The group commit's INSERT stores what a plain insert would, in order, and names new keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.events import CommunityRenamed, Event, PersonSeen
from bot.services import Services
from bot.synth import SynthSpec, build_world
from bot.tracker.inbox import event_to_row, insert_statements, new_keys
from tests.bot.tracker.test_inbox_bulk import stored_events

SPEC = SynthSpec(people=40, communities=6, days=60, end=date(2026, 3, 2), seed=5)


async def test_events_come_back_unchanged_in_order_and_only_new_keys_are_named(
    services: Services,
) -> None:
    events = list(build_world(SPEC).events())[:2_400]  # several SQLite statements
    rows = [event_to_row(event) for event in events]

    async def insert(chunk: list[dict[str, object]]) -> set[tuple[str, str, str]]:
        statements = insert_statements(services.database.engine.dialect, chunk)
        return new_keys(await services.database.write_statements(statements))

    first = await insert(rows[:1_500])
    again = await insert(rows[1_000:])
    assert len(first) == 1_500
    assert again == {(row["platform"], row["workspace"], row["event_key"]) for row in rows[1_500:]}
    assert await services.database.read(stored_events) == events


async def test_awkward_values_are_stored_exactly(services: Services) -> None:
    moment = datetime(2026, 3, 2, 23, 59, 59, 999_999, tzinfo=UTC)
    events: list[Event] = [
        PersonSeen(
            platform="slack",
            workspace="T0'QUOTE\"",
            key='Ev"quoted\\back',
            occurred_at=moment,
            person="U0ÉMILIE",
            display_name='Émilie "Mimi" 🎉 \\ \n tab\t',
            department="R&D / Ünïcode",
            deleted=True,
        ),
        CommunityRenamed(
            platform="slack",
            workspace="T0'QUOTE\"",
            key="Ev{json:[1]}",
            occurred_at=moment,
            community="C0]},{",
            name="général-café",
        ),
    ]
    statements = insert_statements(
        services.database.engine.dialect, [event_to_row(event) for event in events]
    )
    assert len(new_keys(await services.database.write_statements(statements))) == 2
    assert await services.database.read(stored_events) == events
