"""A large synthetic workspace: generation and folding time, peak memory, stats latency.

    python -m bench.stats_scale [--scale 1.0] [--days 365] [--samples 40]
                                [--postgres URL] [--skip-sqlite] [--keep DIR]
                                [--parallel]

At scale 1: 20,000 people, 2,000 communities, 10,000,000 events (use --scale 0.1 for a
quick run). Each database is measured in a child process of its own, so peak RSS is that
database's alone. Goal: p95 of one community's stats and of the organisation's stats
(ladders and the ten most alive communities) under 50 ms; the anchor is one raw indexed
sum over a community's 12 weeks of rollups. PostgreSQL is vacuumed before it is measured.
With `--keep DIR` the workspaces are kept
(`DIR/stats_scale.db`, and the PostgreSQL database `engage_stats_scale`) and a later run
with the same option migrates and measures them again without generating anything.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg

from bench.harness import END, Stopwatch, peak_rss_mb, print_table, scratch_postgres, scratch_sqlite
from bench.stats_timing import measure_stats
from bot.storage.database import Database
from bot.storage.engine import normalise_url
from bot.storage.migrate import upgrade
from bot.synth import SynthSpec, World, build_world
from bot.tracker import Tracker

REPORT_EVERY = 1_000_000
KEPT_POSTGRES = "engage_stats_scale"


FIGURES = (
    "events", "generate+write s", "fold s", "peak RSS MB",
    "community stats p50 ms", "community stats p95 ms",
    "organisation stats (ladders + top 10) p50 ms", "organisation stats p95 ms",
    "anchor: raw 12-week sum p50 ms", "anchor: raw 12-week sum p95 ms",
    "ladder trend, 12 months: first call ms", "ladder trend, later calls p50 ms",
    "ladder trend, later calls p95 ms",
)  # fmt: skip


def measure(
    database_url: str | None, spec: SynthSpec, samples: int, keep: Path | None
) -> list[str]:
    """Everything for one database; runs in a child process."""
    scratch: AbstractContextManager[str]
    if keep is not None:
        scratch = kept_workspace(database_url, keep)
    else:
        scratch = scratch_postgres(database_url) if database_url else scratch_sqlite()
    name = "PostgreSQL" if database_url else "SQLite"
    with scratch as url:
        database = Database(url)
        written = stored_events(database)
        generation = fold = float("nan")
        if not written:
            _say(f"{name}: generating {spec.target_events:,} events")
            world = build_world(spec)
            written, generation, fold = asyncio.run(_load(database, world, name))
        if not database.is_sqlite:
            _vacuum(database)
        as_of = spec.end - timedelta(days=1)
        latencies = measure_stats(database, spec.workspace, as_of, samples)
        database.close()
    return [
        f"{written:,}",
        _rate(generation, written),
        _rate(fold, written),
        f"{peak_rss_mb():,.0f}",
        *(f"{value:.1f}" for value in latencies.figures("community")),
        *(f"{value:.1f}" for value in latencies.figures("organisation")),
        *(f"{value:.1f}" for value in latencies.figures("anchor")),
        f"{latencies.trend_cold[0] * 1000:.1f}",
        *(f"{value:.1f}" for value in latencies.figures("trend")),
    ]


def _vacuum(database: Database) -> None:
    """What autovacuum does in service soon after a bulk load: folding rewrote each trace
    many times, and without it the contributor counts read a table several times its size."""
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM (ANALYZE)"
        )


def _rate(seconds: float, events: int) -> str:
    if seconds != seconds:  # NaN: nothing generated in this run
        return "kept from an earlier run"
    return f"{seconds:,.0f} ({events / seconds:,.0f}/s)"


@contextmanager
def kept_workspace(server_url: str | None, keep: Path) -> Iterator[str]:
    """A workspace kept between runs, migrated to the current schema."""
    if server_url is None:
        url = f"sqlite:///{keep.resolve() / 'stats_scale.db'}"
    else:
        server = normalise_url(server_url)
        admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as connection:
            query = "SELECT 1 FROM pg_database WHERE datname = %s"
            if connection.execute(query, (KEPT_POSTGRES,)).fetchone() is None:
                connection.execute(f'CREATE DATABASE "{KEPT_POSTGRES}"'.encode())
        url = server.set(database=KEPT_POSTGRES).render_as_string(hide_password=False)
    upgrade(url)
    yield url


def stored_events(database: Database) -> int:
    query = "SELECT count(*) FROM inbox_event"
    return int(database.read_sync(lambda s: s.connection().exec_driver_sql(query).scalar_one()))


async def _load(database: Database, world: World, name: str) -> tuple[int, float, float]:
    tracker = Tracker(database)
    progress = {"written": 0, "reported": 0}

    def written(chunk: object) -> None:
        progress["written"] += getattr(chunk, "new", 0) + getattr(chunk, "duplicates", 0)
        if progress["written"] - progress["reported"] >= REPORT_EVERY:
            progress["reported"] = progress["written"]
            _say(f"{name}: {progress['written']:,} events written")

    with Stopwatch() as generation:
        summary = await tracker.record_bulk(world.events(), on_chunk=written)
    _say(f"{name}: {summary.new:,} events written in {generation.seconds:,.0f} s; folding")
    with Stopwatch() as folding:
        folded = await tracker.fold()
    _say(f"{name}: {folded:,} events folded in {folding.seconds:,.0f} s")
    return summary.new, generation.seconds, folding.seconds


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run_children(
    targets: list[str | None], spec: SynthSpec, args: argparse.Namespace
) -> list[list[str]]:
    """One child process per database (so peak RSS is its own), at once with --parallel."""
    spawn = multiprocessing.get_context("spawn")
    children = [ProcessPoolExecutor(max_workers=1, mp_context=spawn) for _ in targets]
    try:
        columns, runs = [], []
        for child, target in zip(children, targets, strict=True):
            runs.append(child.submit(measure, target, spec, args.samples, args.keep))
            if not args.parallel:
                columns.append(runs[-1].result())
        return columns if not args.parallel else [run.result() for run in runs]
    finally:
        for child in children:
            child.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--samples", type=int, default=40, help="communities timed")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this server")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--parallel", action="store_true", help="both databases at once")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep (or reuse) the workspaces")
    args = parser.parse_args()
    spec = SynthSpec(
        people=round(20_000 * args.scale),
        communities=round(2_000 * args.scale),
        days=args.days,
        end=END,
        seed=1,
        events=round(10_000_000 * args.scale),
    )
    targets = ([] if args.skip_sqlite else [None]) + ([args.postgres] if args.postgres else [])
    columns = _run_children(targets, spec, args)
    headers = ["figure", *("PostgreSQL" if target else "SQLite" for target in targets)]
    rows = [[label, *(column[index] for column in columns)] for index, label in enumerate(FIGURES)]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    title = (
        f"{spec.people:,} people, {spec.communities:,} communities, {spec.days} days "
        f"(load average at the end: {load})"
    )
    print_table(title, headers, rows)
    print(f"goal: p95 < 50 ms; {args.samples} communities timed (the largest first)")


if __name__ == "__main__":
    main()
