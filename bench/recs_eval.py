"""Offline quality of the recommender against simple baselines, on replayed history.

    python -m bench.recs_eval --slack-export PATH [--every month|quarter] [--horizon-days 90]
        [--from 2014-04-01] [--to 2015-07-01] [--candidates engine|open] [--synthetic]

At rolling cutoffs, the state is rebuilt from the events before the cutoff only, and each
person present is ranked the communities they could be suggested; the truth is what they
joined of their own accord (not invited, not at the channel's creation, not the mandatory
general channel) in the horizon that followed. Every ranker ranks the same candidates
(public, not archived, not dormant, not already in or left; with `--candidates open`,
dormant and left ones too), so joins into other communities count as misses for all.
Figures per cutoff and pooled; the pooled difference of the engine to the best baseline
of each metric has a paired bootstrap 95% interval.
The ceiling row is what ranking each person's joins first would score over the same
candidates: no ranker can do better, so a target above it cannot be met.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.recs.baselines import BASELINES, Ranker, recommender, seeded_random
from bench.recs.evaluation import (
    METRICS,
    Candidates,
    Every,
    Interval,
    Report,
    Scores,
    bootstrap,
    evaluate,
    mean_of,
    rolling_cutoffs,
)
from bench.recs.slack_export import Timeline, read_export
from bench.recs.synthetic import synthetic_timeline

ENGAGE = "engage recommender"
RANDOM = "random (mean of seeded runs)"
CEILING = "ceiling: the joins first (knows the future)"
TARGET = 1.5
"""The goal: the engine at 1.5× the best baseline of each metric."""


def main(
    slack_export: Annotated[
        list[Path] | None, typer.Option(help="A Slack export directory or .zip (repeatable).")
    ] = None,
    every: Annotated[Every, typer.Option(help="Cutoff every month or quarter.")] = "quarter",
    candidates: Annotated[
        Candidates,
        typer.Option(help="engine: what Engage may suggest; open: dormant and left ones too."),
    ] = "engine",
    horizon_days: Annotated[int, typer.Option(help="Days of joins after each cutoff.")] = 90,
    start: Annotated[
        datetime | None, typer.Option("--from", help="First cutoff no earlier than this.")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", help="Horizons end no later than this.")
    ] = None,
    synthetic: Annotated[bool, typer.Option(help="Also replay bot.synth workspaces.")] = False,
    seeds: Annotated[str, typer.Option(help="Synthetic workspace seeds.")] = "1,2,3",
    people: Annotated[int, typer.Option(help="People per synthetic workspace.")] = 1000,
    communities: Annotated[int, typer.Option(help="Communities per synthetic workspace.")] = 150,
    days: Annotated[int, typer.Option(help="Days of synthetic history.")] = 540,
    random_runs: Annotated[int, typer.Option(help="Seeded random rankings averaged.")] = 20,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 2000,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every figure to this file.")
    ] = None,
) -> None:
    """Recall@1/3/5, MRR and coverage of the recommender and of each baseline."""
    sources: list[tuple[str, Callable[[], Timeline]]] = [
        (str(path), partial(read_export, path)) for path in slack_export or []
    ]
    if synthetic:
        shape = {"people": people, "communities": communities, "days": days}
        for seed in (int(s) for s in seeds.split(",") if s.strip()):
            label = f"synthetic seed {seed} ({people} people, {communities} communities, {days} d)"
            sources.append((label, partial(synthetic_timeline, seed=seed, **shape)))
    if not sources:
        raise typer.BadParameter("give --slack-export PATH and/or --synthetic")
    console = Console()
    horizon = timedelta(days=horizon_days)
    written: list[dict[str, Any]] = []
    for label, load in sources:
        started = time.perf_counter()
        timeline = load()
        if candidates == "open":
            label = f"{label}, open candidates"
        rankers: dict[str, Ranker] = {ENGAGE: recommender, **BASELINES}
        rankers.update({f"random {seed}": seeded_random(seed) for seed in range(random_runs)})
        cutoffs = rolling_cutoffs(timeline, every, horizon, _utc(start), _utc(end))
        if not cutoffs:
            console.print(
                f"{label}: no cutoff has its whole {horizon_days}-day horizon in the history"
            )
            continue
        report = _folded(evaluate(timeline, rankers, cutoffs, horizon, candidates), random_runs)
        seconds = time.perf_counter() - started
        for part in report.per_cutoff:
            console.print(_table(f"{label} — cutoff {part.cutoffs[0]:%Y-%m-%d}", part))
        console.print(_table(f"{label} — pooled over {len(cutoffs)} cutoffs", report, seconds))
        intervals = [
            bootstrap(report, ENGAGE, [n for n in report.scores if n != ENGAGE], m, resamples)
            for m in METRICS
        ]
        console.print(_intervals(label, intervals, report))
        written.append(_figures(label, every, candidates, horizon_days, report, intervals))
    if json_out is not None:
        json_out.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _folded(report: Report, random_runs: int) -> Report:
    """The seeded random runs as one ranker: their case by case mean."""
    for part in (*report.per_cutoff, report):
        runs = [part.scores.pop(f"random {seed}") for seed in range(random_runs)]
        if runs:
            part.scores[RANDOM] = mean_of(runs)
    return report


def _table(title: str, report: Report, seconds: float | None = None) -> Table:
    engage = report.scores[ENGAGE]
    share = report.eligible_joins / report.joins if report.joins else 0.0
    took = f"; {seconds:.1f} s" if seconds is not None else ""
    table = Table(
        title=title,
        caption=(
            f"{engage.cases} person-cutoffs with joins, {engage.people} people ranked; "
            f"{report.joins} joins, {share:.0%} into suggestible communities{took}"
        ),
    )
    table.add_column("ranker")
    for metric in (*METRICS, "coverage"):
        table.add_column(metric, justify="right")
    for name, scores in report.scores.items():
        figures = [f"{scores.mean(metric):.3f}" for metric in METRICS]
        style = "bold" if name == ENGAGE else ""
        table.add_row(name, *figures, f"{scores.coverage:.2f}", style=style)
    ceiling = [f"{report.ceiling.mean(metric):.3f}" for metric in METRICS]
    table.add_row(CEILING, *ceiling, "", style="dim")
    return table


def _intervals(label: str, intervals: list[Interval], report: Report) -> Table:
    table = Table(title=f"{label} — engine against the best baseline of each metric (pooled)")
    columns = ("metric", "best baseline", "difference [95% CI]", "ratio [95% CI]")
    for column in (*columns, f"{TARGET}× best", "ceiling"):
        table.add_column(column)
    for found in intervals:
        table.add_row(
            found.metric,
            found.baseline,
            f"{found.difference:+.3f} [{found.low:+.3f}, {found.high:+.3f}]",
            f"{found.ratio:.2f}× [{found.ratio_low:.2f}, {found.ratio_high:.2f}]",
            f"{TARGET * report.scores[found.baseline].mean(found.metric):.3f}",
            f"{report.ceiling.mean(found.metric):.3f}",
        )
    return table


def _figures(
    label: str,
    every: str,
    candidates: str,
    horizon_days: int,
    report: Report,
    intervals: list[Interval],
) -> dict[str, Any]:
    def ceiling(part: Report) -> dict[str, float]:
        return {m: round(part.ceiling.mean(m), 4) for m in METRICS}

    def scores(scored: dict[str, Scores]) -> dict[str, dict[str, float]]:
        return {
            name: {m: round(s.mean(m), 4) for m in METRICS}
            | {"coverage": round(s.coverage, 4), "cases": s.cases}
            for name, s in scored.items()
        }

    return {
        "dataset": label,
        "every": every,
        "candidates": candidates,
        "horizon_days": horizon_days,
        "per_cutoff": {
            f"{part.cutoffs[0]:%Y-%m-%d}": scores(part.scores) for part in report.per_cutoff
        },
        "pooled": scores(report.scores),
        "ceiling": {
            "per_cutoff": {f"{p.cutoffs[0]:%Y-%m-%d}": ceiling(p) for p in report.per_cutoff},
            "pooled": ceiling(report),
        },
        "intervals": [asdict(found) for found in intervals],
    }


if __name__ == "__main__":
    typer.run(main)
