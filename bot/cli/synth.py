"""`engage synth`: generate a realistic workspace straight into the database."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import typer
from babel.numbers import format_decimal
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from bot.cli.context import day_option, settings_from
from bot.i18n import Translator
from bot.services import Services
from bot.settings import Settings
from bot.storage.migrate import upgrade
from bot.synth import SynthSpec, World, build_world
from bot.tracker import RecordSummary


@dataclass
class SynthReport:
    recorded: RecordSummary
    folded: int
    seconds: float


def synth_command(
    people: Annotated[int, typer.Option(help="How many people.")] = 200,
    communities: Annotated[int, typer.Option(help="How many communities.")] = 30,
    days: Annotated[int, typer.Option(help="How many days of activity.")] = 120,
    seed: Annotated[int, typer.Option(help="Same seed, same workspace.")] = 0,
    end: Annotated[
        str | None,
        typer.Option(help="Activity stops before this day, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
    events: Annotated[
        int | None,
        typer.Option(help="Approximate number of events (default: 0.8 per person and day)."),
    ] = None,
) -> None:
    """Generate a synthetic workspace (metadata only) and fold it into statistics.

    Heavy-tailed community sizes; regulars, occasional contributors, reactors
    and silent members, each in their own time zone and working hours.
    The same seed gives the same workspace: running it again adds nothing.
    """
    last = day_option(end, "--end")
    settings = settings_from()
    spec = SynthSpec(
        people=people,
        communities=communities,
        days=days,
        seed=seed,
        end=last,
        events=events,
    )
    upgrade(settings.database_url)
    world = build_world(spec)
    report = asyncio.run(_load(settings, world))
    _print_summary(world, report, Translator(settings.operator_language))


async def _load(settings: Settings, world: World) -> SynthReport:
    started = time.perf_counter()
    services = Services.build(settings)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as progress:
            writing = progress.add_task("events written", total=world.expected_events)
            recorded = await services.tracker.record_bulk(
                world.events(),
                on_chunk=lambda chunk: progress.advance(writing, chunk.new + chunk.duplicates),
            )
            progress.update(writing, total=recorded.new + recorded.duplicates)
            folding = progress.add_task("events folded", total=None)
            folded = await services.tracker.fold(
                on_batch=lambda count: progress.advance(folding, count)
            )
            progress.update(folding, total=folded)
        await services.database.refresh_statistics()
    finally:
        await services.stop()
    return SynthReport(recorded, folded, time.perf_counter() - started)


def _print_summary(world: World, report: SynthReport, t: Translator) -> None:
    spec = world.spec
    table = Table(title=t("cli.synth.title", workspace=spec.workspace, seed=spec.seed))
    table.add_column("")
    table.add_column(t("cli.synth.value"), justify="right")
    period = t("cli.synth.period", first=t.date(spec.start), last=t.date(spec.end - timedelta(1)))
    rows = [
        ("people", t.number(len(world.people))),
        ("communities", t.number(len(world.communities))),
        ("period", period),
        ("new", t.number(report.recorded.new)),
        ("duplicates", t.number(report.recorded.duplicates)),
        ("future", t.number(report.recorded.future)),
        ("folded", t.number(report.folded)),
        ("seconds", format_decimal(report.seconds, "0.0", locale=t.language)),
    ]
    for label, value in rows:
        table.add_row(t(f"cli.synth.row.{label}"), value)
    Console().print(table)
