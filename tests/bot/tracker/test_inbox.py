from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlmodel import func, select

from bot.events import utcnow
from bot.services import Services
from bot.storage.models import DailyActivity, InboxEvent
from tests.support.events import post, react


async def count_inbox(services: Services) -> int:
    return await services.database.read(
        lambda s: s.exec(select(func.count()).select_from(InboxEvent)).one()
    )


async def test_same_event_four_times_has_one_effect(services: Services) -> None:
    event = post("U0G9QF9C6", "C2147483705", "2026-03-03", key="Ev0PV52K21")
    results = [await services.tracker.record([event]) for _ in range(4)]
    assert results == [1, 0, 0, 0]
    await services.tracker.fold()
    rollups = await services.database.read(lambda s: s.exec(select(DailyActivity)).all())
    assert [(r.posts, r.replies) for r in rollups] == [(1, 0)]


async def test_concurrent_callers_each_learn_their_own_count(services: Services) -> None:
    shared = post("U1", "C1", "2026-03-03", key="EvShared")
    batches = [[post("U1", "C1", "2026-03-03"), shared] for _ in range(16)]
    counts = await asyncio.gather(*(services.tracker.record(batch) for batch in batches))
    assert sum(counts) == 17
    assert sorted(counts) == [1] * 15 + [2]
    assert await count_inbox(services) == 17


async def test_future_events_are_ignored_and_counted(services: Services) -> None:
    future = replace(post("U1", "C1", "2026-03-03"), occurred_at=utcnow() + timedelta(days=2))
    present = post("U1", "C1", "2026-03-03")
    assert await services.tracker.record([future, present]) == 1
    summary = await services.tracker.record_bulk([future, present, post("U2", "C1", "2026-03-04")])
    assert (summary.new, summary.duplicates, summary.future) == (1, 1, 1)
    assert await count_inbox(services) == 2


async def test_bulk_path_ignores_duplicates_across_runs(services: Services) -> None:
    events = [post(f"U{i % 7}", f"C{i % 3}", "2026-03-03") for i in range(12_000)]
    first = await services.tracker.record_bulk(events)
    again = await services.tracker.record_bulk([*events, react("U1", "C1", "2026-03-04")])
    assert (first.new, first.duplicates) == (12_000, 0)
    assert (again.new, again.duplicates) == (1, 12_000)


async def test_a_batch_larger_than_one_statement_is_stored_whole(services: Services) -> None:
    events = [post(f"U{i % 7}", f"C{i % 3}", "2026-03-03") for i in range(2_500)]
    halves = [events[:1_300], [*events[1_200:], events[0]]]  # 101 events in both
    counts = await asyncio.gather(*(services.tracker.record(half) for half in halves))
    assert sum(counts) == 2_500
    assert sorted(counts) in ([1_199, 1_301], [1_200, 1_300])
    assert await count_inbox(services) == 2_500
    assert await services.tracker.record(events) == 0


async def test_over_long_keys_stay_distinct_and_fit_their_column(services: Services) -> None:
    shared = "Ev" + "7" * 300  # far past the column: only the ends differ
    first, second = post("U1", "C1", "2026-03-03"), post("U2", "C1", "2026-03-03")
    first = replace(first, key=shared + "a", thread_key="C1:" + "1" * 250 + ".1")
    second = replace(second, key=shared + "b", thread_key="C1:" + "1" * 250 + ".2")
    assert await services.tracker.record([first, second]) == 2
    assert await services.tracker.record([first]) == 0  # Slack's retry: the same key again
    bulk = await services.tracker.record_bulk([first, second, replace(second, key=shared + "c")])
    assert (bulk.new, bulk.duplicates) == (1, 2)
    rows = await services.database.read(
        lambda s: s.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
    )
    keys = [row.event_key for row in rows]
    threads = {row.thread_key for row in rows}
    assert len(set(keys)) == 3
    assert len(threads) == 2
    assert all(len(key) <= 200 and key.startswith("Ev777") for key in keys)
    assert all(thread is not None and len(thread) <= 200 for thread in threads)
