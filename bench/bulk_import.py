"""Bulk import rate: `Tracker.record_bulk` against raw `executemany` of the same rows.

    python -m bench.bulk_import [--events 200000] [--postgres postgresql+psycopg://…/db]

The anchor writes rows already converted to the driver's types into a scratch table with
the inbox's columns, unique key and indexes, one transaction per 5000 rows like the bulk
path, with the engine's pragmas on SQLite. Each path runs --repeat times on a fresh
database, alternating, and the best rate counts. Goal: record_bulk reaches at least half
the anchor's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg

from bench.harness import (
    Stopwatch,
    plain_dsn,
    print_table,
    scratch_postgres,
    scratch_sqlite,
    synthetic_events,
)
from bot.events import Event
from bot.storage.database import Database
from bot.storage.engine import sqlite_path
from bot.tracker import BULK_CHUNK, Tracker
from bot.tracker.inbox import event_to_row

COLUMNS = (
    "platform", "workspace", "event_key", "kind", "person", "community", "target_person",
    "thread_key", "occurred_at", "attrs", "processed", "received_at",
)  # fmt: skip
TABLE = """CREATE TABLE anchor (
    id {id}, platform VARCHAR(16) NOT NULL, workspace VARCHAR(64) NOT NULL,
    event_key VARCHAR(200) NOT NULL, kind VARCHAR(32) NOT NULL, person VARCHAR(128),
    community VARCHAR(128), target_person VARCHAR(128), thread_key VARCHAR(200),
    occurred_at {moment} NOT NULL, attrs {json}, processed BOOLEAN NOT NULL,
    received_at {moment} NOT NULL, UNIQUE (platform, workspace, event_key))"""
INDEXES = (
    "CREATE INDEX anchor_pending ON anchor (processed, id)",
    "CREATE INDEX anchor_occurred ON anchor (occurred_at)",
)
INSERT = (
    f"INSERT INTO anchor ({', '.join(COLUMNS)}) VALUES ({', '.join(['{p}'] * len(COLUMNS))}) "
    "ON CONFLICT (platform, workspace, event_key) DO NOTHING"
)
Figures = list[tuple[str, int, float]]


def anchor_rows(events: Sequence[Event], *, text_times: bool) -> list[tuple[Any, ...]]:
    rows = []
    for event in events:
        row = event_to_row(event)
        row["received_at"] = row["occurred_at"]
        row["attrs"] = json.dumps(row["attrs"])
        if text_times:
            for name in ("occurred_at", "received_at"):
                row[name] = row[name].replace(tzinfo=None).isoformat(" ")
        rows.append(tuple(row[name] for name in COLUMNS))
    return rows


def raw_sqlite(path: str, rows: list[tuple[Any, ...]]) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(TABLE.format(id="INTEGER PRIMARY KEY", moment="DATETIME", json="JSON"))
    for statement in INDEXES:
        connection.execute(statement)
    insert = INSERT.replace("{p}", "?")
    with Stopwatch() as watch:
        for start in range(0, len(rows), BULK_CHUNK):
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(insert, rows[start : start + BULK_CHUNK])
            connection.execute("COMMIT")
    connection.close()
    return watch.seconds


def raw_postgres(url: str, rows: list[tuple[Any, ...]]) -> float:
    with psycopg.connect(plain_dsn(url)) as connection:
        table = TABLE.format(id="BIGSERIAL PRIMARY KEY", moment="TIMESTAMPTZ", json="JSON")
        connection.execute(table.encode())
        for statement in INDEXES:
            connection.execute(statement.encode())
        connection.commit()
        insert = INSERT.replace("{p}", "%s")
        with Stopwatch() as watch:
            for start in range(0, len(rows), BULK_CHUNK):
                with connection.cursor() as cursor:
                    cursor.executemany(insert.encode(), rows[start : start + BULK_CHUNK])
                connection.commit()
    return watch.seconds


async def through_tracker(url: str, events: list[Event]) -> tuple[float, float, float, int]:
    database = Database(url)
    tracker = Tracker(database)
    try:
        with Stopwatch() as first:
            summary = await tracker.record_bulk(events)
        with Stopwatch() as again:
            await tracker.record_bulk(events)
        with Stopwatch() as folding:
            folded = await tracker.fold()
    finally:
        database.close()
    assert summary.new == len(events) == folded, (summary, folded)
    return first.seconds, again.seconds, folding.seconds, folded


def measure(server: str | None, events: list[Event], repeat: int) -> list[list[str]]:
    """Best of `repeat` alternating runs of each path, each on a fresh database."""
    best = {"first": 0.0, "again": 0.0, "fold": 0.0, "anchor": 0.0}
    for _ in range(repeat):
        scratch = scratch_postgres(server) if server else scratch_sqlite()
        with scratch as url:
            first, again, fold, count = asyncio.run(through_tracker(url, events))
            if server:
                anchor = raw_postgres(url, anchor_rows(events, text_times=False))
            else:
                path = sqlite_path(url)
                assert path is not None
                anchor = raw_sqlite(path + ".anchor", anchor_rows(events, text_times=True))
        for name, seconds in (
            ("first", first),
            ("again", again),
            ("fold", fold),
            ("anchor", anchor),
        ):
            best[name] = max(best[name], count / seconds)
    name = "PostgreSQL" if server else "SQLite"
    return [
        [f"{name}: raw executemany (anchor)", f"{best['anchor']:,.0f}", "1.00"],
        [f"{name}: record_bulk", f"{best['first']:,.0f}", f"{best['first'] / best['anchor']:.2f}"],
        [f"{name}: record_bulk again (all duplicates)", f"{best['again']:,.0f}", ""],
        [f"{name}: fold into rollups", f"{best['fold']:,.0f}", ""],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per path; the best counts")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    args = parser.parse_args()
    events = synthetic_events(args.events)
    rows = measure(None, events, args.repeat)
    if args.postgres:
        rows += measure(args.postgres, events, args.repeat)
    headers = ("path", "events/s", "× anchor")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    title = f"Bulk import of {len(events):,} synthetic events (load average: {load})"
    print_table(title, headers, rows)


if __name__ == "__main__":
    main()
