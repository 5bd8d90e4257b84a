"""Concurrent `Tracker.record()` of single events, as webhooks arrive: events/s and latency.

    python -m bench.record_concurrency [--tasks 16] [--per-task 300] [--postgres URL]

Each task records one event at a time and waits for its commit, like an HTTP handler
acknowledging a platform event. The anchor is one task doing the same alone (one commit
per event); concurrency is served by group commits, so many callers share one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Sequence

from bench.harness import (
    Stopwatch,
    percentile,
    print_table,
    scratch_postgres,
    scratch_sqlite,
    synthetic_events,
)
from bot.events import Event
from bot.storage.database import Database
from bot.tracker import Tracker


async def record_one_by_one(tracker: Tracker, events: Sequence[Event]) -> list[float]:
    latencies = []
    for event in events:
        started = time.perf_counter()
        assert await tracker.record([event]) == 1
        latencies.append(time.perf_counter() - started)
    return latencies


async def run(url: str, events: list[Event], tasks: int, alone: int) -> list[list[str]]:
    database = Database(url)
    tracker = Tracker(database)
    try:
        await tracker.record(events[:1])  # open the pool before timing
        solo_events = events[1 : 1 + alone]
        with Stopwatch() as solo:
            solo_latencies = await record_one_by_one(tracker, solo_events)
        rest = events[1 + alone :]
        shares = [rest[index::tasks] for index in range(tasks)]
        with Stopwatch() as together:
            results = await asyncio.gather(*(record_one_by_one(tracker, s) for s in shares))
    finally:
        database.close()
    latencies = [latency for result in results for latency in result]
    return [
        _row("1 task (anchor)", len(solo_events), solo.seconds, solo_latencies),
        _row(f"{tasks} tasks", len(latencies), together.seconds, latencies),
    ]


def _row(label: str, count: int, seconds: float, latencies: list[float]) -> list[str]:
    return [
        label,
        f"{count:,}",
        f"{count / seconds:,.0f}",
        f"{percentile(latencies, 0.50) * 1000:.1f}",
        f"{percentile(latencies, 0.99) * 1000:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--per-task", type=int, default=300)
    parser.add_argument("--alone", type=int, default=500, help="events for the 1-task anchor")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    args = parser.parse_args()
    events = synthetic_events(1 + args.alone + args.tasks * args.per_task, people=500)
    rows: list[list[str]] = []
    with scratch_sqlite() as url:
        rows += [
            ["SQLite: " + row[0], *row[1:]]
            for row in asyncio.run(run(url, events, args.tasks, args.alone))
        ]
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            rows += [
                ["PostgreSQL: " + row[0], *row[1:]]
                for row in asyncio.run(run(url, events, args.tasks, args.alone))
            ]
    headers = ("callers", "events", "events/s", "p50 ms", "p99 ms")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    title = f"record() of single events, each awaited until committed (load average: {load})"
    print_table(title, headers, rows)


if __name__ == "__main__":
    main()
