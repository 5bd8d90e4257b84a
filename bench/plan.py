"""Planning benchmark: `plan` passes over a large generated workspace; time and peak RSS.

    python -m bench.plan [--people 100000] [--communities 5000] [--db PATH]

The workspace is generated once into PATH (kept for the next run); planning runs on a
copy, in a fresh process so that its peak RSS is planning's alone. Goal: < 60 s and < 2 GB for
100k people x 5k communities, everyone opted in and inside their send window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from bench.plan_workspace import Size, generate
from bot.storage.migrate import upgrade

TUESDAY = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)
"""10:30 in Paris, where everyone lives: the whole workspace is due at once."""
PASSES = 2
PASS_INTERVAL = timedelta(minutes=15)


async def _plan_passes(path: str, budget: float) -> dict[str, object]:
    from bot.services import Services
    from bot.settings import load_settings
    from nudges.planner.job import plan

    services = Services.build(load_settings(env_file=None, database_url=f"sqlite:///{path}"))
    passes = []
    try:
        for number in range(PASSES):
            services.clock = partial(_moment, number)
            started, cpu = time.perf_counter(), time.process_time()
            summary = await plan(services, budget=budget)
            passes.append(
                {
                    "seconds": round(time.perf_counter() - started, 1),
                    "cpu_seconds": round(time.process_time() - cpu, 1),
                    "summary": summary,
                }
            )
    finally:
        await services.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"passes": passes, "peak_rss_mb": round(peak)}


def _moment(number: int) -> datetime:
    return TUESDAY + number * PASS_INTERVAL


def _copy(source: Path, target: Path) -> None:
    """SQLite's backup API: a consistent copy even of a database in WAL mode."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=5_000)
    parser.add_argument("--db", default="")
    parser.add_argument("--budget", type=float, default=45.0, help="Ranking seconds per pass.")
    parser.add_argument("--run", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(asyncio.run(_plan_passes(args.run, args.budget))))
        return
    path = Path(args.db or f"/tmp/engage-bench-plan-{args.people}x{args.communities}.db")
    if not path.exists():
        started = time.perf_counter()
        counts = generate(str(path), Size(args.people, args.communities, date(2026, 3, 31)))
        print(f"generated {path} in {time.perf_counter() - started:.0f} s: {counts}")
    with tempfile.TemporaryDirectory(prefix="engage-bench-plan-") as scratch:
        copy = Path(scratch) / "plan.db"
        _copy(path, copy)  # the template stays unplanned for the next run
        upgrade(f"sqlite:///{copy}")  # a template kept from an older schema
        result = subprocess.run(
            [sys.executable, "-m", "bench.plan", "--run", str(copy), "--budget", str(args.budget)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"{args.people:,} people x {args.communities:,} communities, peak RSS "
          f"{figures['peak_rss_mb']} MB")  # fmt: skip
    for number, one in enumerate(figures["passes"], start=1):
        print(
            f"  pass {number}: {one['seconds']} s ({one['cpu_seconds']} s CPU) — {one['summary']}"
        )


if __name__ == "__main__":
    main()
