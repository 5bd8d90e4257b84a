"""Offline quality of the recommender against simple baselines, on replayed history.

    python -m bench.recs_eval --slack-export PATH [--slack-export PATH …] [--synthetic]

At rolling cutoffs (every 3 months), each person present before the cutoff is ranked the
communities they could be suggested; the truth is what they joined of their own accord
(not invited, not at the channel's creation, not the mandatory general channel) in the
next 90 days. Every ranker ranks the same candidates (public, not archived, not dormant,
not already in or left), so joins into other communities count as misses for all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.recs.baselines import BASELINES, Ranker, recommender, seeded_random
from bench.recs.evaluation import KS, Report, Scores, evaluate, quarterly_cutoffs
from bench.recs.slack_export import Timeline, read_export
from bench.recs.synthetic import synthetic_timeline

ENGAGE = "engage recommender"
RANDOM = "random (mean of seeded runs)"


@dataclass
class Row:
    name: str
    recall: dict[int, float]
    mrr: float


def main(
    slack_export: Annotated[
        list[Path] | None, typer.Option(help="A Slack export directory or .zip (repeatable).")
    ] = None,
    synthetic: Annotated[bool, typer.Option(help="Also replay bot.synth workspaces.")] = False,
    seeds: Annotated[str, typer.Option(help="Synthetic workspace seeds.")] = "1,2,3",
    people: Annotated[int, typer.Option(help="People per synthetic workspace.")] = 1000,
    communities: Annotated[int, typer.Option(help="Communities per synthetic workspace.")] = 150,
    days: Annotated[int, typer.Option(help="Days of synthetic history.")] = 540,
    every_months: Annotated[int, typer.Option(help="Months between cutoffs.")] = 3,
    random_runs: Annotated[int, typer.Option(help="Seeded random rankings averaged.")] = 20,
) -> None:
    """Recall@3, recall@5 and MRR of the recommender and of each baseline."""
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
    summary: list[tuple[str, int, list[Row]]] = []
    pooled, synthetic_runs = Report(), 0
    for label, load in sources:
        started = time.perf_counter()
        timeline = load()
        rankers: dict[str, Ranker] = {ENGAGE: recommender, **BASELINES}
        rankers.update({f"random {seed}": seeded_random(seed) for seed in range(random_runs)})
        report = evaluate(timeline, rankers, quarterly_cutoffs(timeline, every_months))
        rows = _rows(report, random_runs)
        console.print(_table(label, report, rows, time.perf_counter() - started))
        summary.append((label, report.scores[ENGAGE].cases, rows))
        if label.startswith("synthetic"):
            pooled.absorb(report)
            synthetic_runs += 1
    if synthetic_runs > 1:
        label = f"synthetic, {synthetic_runs} seeds pooled"
        summary.append((label, pooled.scores[ENGAGE].cases, _rows(pooled, random_runs)))
    console.print(_summary(summary))


def _rows(report: Report, random_runs: int) -> list[Row]:
    rows = [_row(name, report.scores[name]) for name in (ENGAGE, *BASELINES)]
    runs = [report.scores[f"random {seed}"] for seed in range(random_runs)]
    if runs:
        recall = {k: sum(run.recall(k) for run in runs) / len(runs) for k in KS}
        rows.append(Row(RANDOM, recall, sum(run.mrr for run in runs) / len(runs)))
    return rows


def _row(name: str, scores: Scores) -> Row:
    return Row(name, {k: scores.recall(k) for k in KS}, scores.mrr)


def _table(label: str, report: Report, rows: Sequence[Row], seconds: float) -> Table:
    cases = report.scores[ENGAGE].cases
    share = report.eligible_joins / report.joins if report.joins else 0.0
    cutoffs = ", ".join(f"{cutoff:%Y-%m-%d}" for cutoff in report.cutoffs) or "none"
    table = Table(
        title=f"{label}",
        caption=(
            f"cutoffs {cutoffs}; {cases} person-cutoffs with joins; {report.joins} joins, "
            f"{share:.0%} into suggestible communities; {seconds:.1f} s"
        ),
    )
    table.add_column("ranker")
    for k in KS:
        table.add_column(f"recall@{k}", justify="right")
    table.add_column("MRR", justify="right")
    for row in rows:
        style = "bold" if row.name == ENGAGE else ""
        figures = [f"{row.recall[k]:.3f}" for k in KS] + [f"{row.mrr:.3f}"]
        table.add_row(row.name, *figures, style=style)
    return table


def _summary(entries: Sequence[tuple[str, int, list[Row]]]) -> Table:
    table = Table(title="Engage against every baseline (random included)")
    for column in ("dataset", "cases", "engage R@5", "best other R@5", "engage MRR"):
        table.add_column(column)
    table.add_column("best other MRR")
    table.add_column("beats all on both")
    for label, cases, rows in entries:
        engage, others = rows[0], rows[1:]
        recall = max(others, key=lambda row: row.recall[5])
        mrr = max(others, key=lambda row: row.mrr)
        beats = engage.recall[5] > recall.recall[5] and engage.mrr > mrr.mrr
        table.add_row(
            label,
            str(cases),
            f"{engage.recall[5]:.3f}",
            f"{recall.recall[5]:.3f} ({recall.name})",
            f"{engage.mrr:.3f}",
            f"{mrr.mrr:.3f} ({mrr.name})",
            "yes" if beats else "no",
        )
    return table


if __name__ == "__main__":
    typer.run(main)
