"""Does `engage suggest --as-of` reproduce the evaluation's rankings on a real export?

    python -m bench.recs.reproduce --slack-export PATH [--every quarter] [--postgres URL]

The export's events (the evaluation's own reading of it) are recorded and folded as live
events into a scratch database, later ones included. Then, at each rolling cutoff,
`engage suggest --all --as-of <the day before> --json` (a real subprocess) is compared,
person by person, with the replay's ranking at that cutoff: the same people, the same
communities in the same order, the same scores up to 1e-9 of their size (the two sum in
another order, so the last bits may differ). Exits 1 when any person differs.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.harness import scratch_postgres, scratch_sqlite
from bench.recs.evaluation import Every, rolling_cutoffs
from bench.recs.replay import replay
from bench.recs.slack_export import Timeline, read_export
from bot.services import Services
from bot.settings import load_settings
from nudges.recommend.model import candidates
from nudges.recommend.rank import model_for, score

Ranking = list[tuple[str, float]]
LIMIT = 100
"""Suggestions compared per person: more than any person here has candidates."""
BATCH = 5_000
TOLERANCE = 1e-9


def main(
    slack_export: Annotated[Path, typer.Option(help="A Slack export directory or .zip.")],
    every: Annotated[Every, typer.Option(help="Cutoff every month or quarter.")] = "quarter",
    horizon_days: Annotated[int, typer.Option(help="As in bench.recs_eval.")] = 90,
    postgres: Annotated[
        str, typer.Option(help="Record into a scratch database on this server instead.")
    ] = "",
) -> None:
    """Compare `engage suggest --as-of` with the evaluation's replay at each cutoff."""
    timeline = read_export(slack_export)
    cutoffs = rolling_cutoffs(timeline, every, timedelta(days=horizon_days))
    table = Table(title=f"{slack_export}: engage suggest --as-of against the replay")
    for column in ("cutoff", "people (replay)", "people (live)", "same ranking", "differ"):
        table.add_column(column, justify="left" if column == "cutoff" else "right")
    different = 0
    with _database(postgres) as url:
        asyncio.run(_record(url, timeline))
        for cutoff in cutoffs:
            live, replayed = _live(url, cutoff), _replayed(timeline, cutoff)
            people = sorted(set(live) | set(replayed))
            same = [p for p in people if _same(live.get(p, []), replayed.get(p, []))]
            different += len(people) - len(same)
            table.add_row(
                f"{cutoff:%Y-%m-%d}",
                str(len(replayed)),
                str(len(live)),
                str(len(same)),
                ", ".join(p for p in people if p not in same)[:60] or "—",
            )
    Console().print(table)
    raise typer.Exit(1 if different else 0)


@contextmanager
def _database(postgres: str) -> Iterator[str]:
    with scratch_postgres(postgres) if postgres else scratch_sqlite() as url:
        yield url


async def _record(url: str, timeline: Timeline) -> None:
    services = Services.build(load_settings(env_file=None, database_url=url))
    try:
        for start in range(0, len(timeline.events), BATCH):
            await services.tracker.record(timeline.events[start : start + BATCH])
        await services.tracker.fold()
    finally:
        await services.stop()


def _live(url: str, cutoff: datetime) -> dict[str, Ranking]:
    day = f"{cutoff - timedelta(days=1):%Y-%m-%d}"
    command = [sys.executable, "-m", "adapters.main", "suggest", "--all", "--json"]
    command += ["--limit", str(LIMIT), "--as-of", day]
    environment = {**os.environ, "ENGAGE_DATABASE_URL": url, "LANG": "C.UTF-8"}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise typer.BadParameter(f"engage suggest failed: {done.stderr.strip()}")
    return {
        entry["person"]: [(s["community"], s["score"]) for s in entry["suggestions"]]
        for entry in json.loads(done.stdout)["people"]
        if entry["suggestions"]
    }


def _replayed(timeline: Timeline, cutoff: datetime) -> dict[str, Ranking]:
    [cut] = list(replay(timeline, [cutoff], timedelta(days=1)))
    model = model_for(cut.snapshot, cutoff)
    external = {number: name for name, number in cut.ids.items()}
    found = {}
    for person in cut.present:
        ranked = score(model, person, candidates(model.index, person))[:LIMIT]
        if ranked:
            found[external[person]] = [(external[s.community], s.score) for s in ranked]
    return found


def _same(live: Ranking, replayed: Ranking) -> bool:
    return len(live) == len(replayed) and all(
        a == b and abs(x - y) <= TOLERANCE * max(1.0, abs(y))
        for (a, x), (b, y) in zip(live, replayed, strict=True)
    )


if __name__ == "__main__":
    typer.run(main)
