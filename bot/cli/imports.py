"""History into the tracker: `engage import directory` and `engage synth` (the Slack adapter
adds `engage import slack-export` to the same group).

`import` brings a platform export or an HR directory in; `synth` generates a realistic
workspace (metadata only) straight into the database. Both fold what they wrote into the
statistics and print a summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.context import day_option, settings_from
from bot.i18n import Translator

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.synth import World
    from bot.tracker import RecordSummary

import_app = typer.Typer(help="Import history from a platform export.", no_args_is_help=True)


@import_app.command("directory")
def directory_command(
    path: Annotated[Path, typer.Argument(help="HR directory: a .csv or .json file.")],
) -> None:
    """Import departments from an HR directory export (CSV or JSON).

    Each row: external_id (the Slack or Teams user id) and/or email, department, and
    optionally site and manager_level. E-mails are kept only as a keyed hash (set
    ENGAGE_SECRET_KEY); a row with both an id and an e-mail links that account to the same
    person on other platforms. Bad rows are listed on stderr, one line each, and skipped;
    re-running the import changes nothing.
    """
    from bot.crypto import EmailHasher
    from bot.importers.directory import DirectorySummary, read_directory, store_directory
    from bot.storage.database import Database
    from bot.storage.migrate import upgrade

    settings = settings_from()
    rows, problems = read_directory(path, EmailHasher(settings.secret_key))
    upgrade(settings.database_url)
    summary = DirectorySummary(problems=problems)
    database = Database(settings.database_url, threads=1)
    try:
        database.write_sync(lambda session: store_directory(session, rows, summary))
    finally:
        database.close()
    for problem in problems:
        typer.echo(problem, err=True)
    typer.echo(
        f"directory: {len(rows)} row(s) kept, {len(problems)} bad row(s) skipped; "
        f"{summary.changed_entries} entr{'y' if summary.changed_entries == 1 else 'ies'} new or "
        f"changed, {summary.departments_set} person(s) given a department, "
        f"{summary.linked} account(s) linked by e-mail"
    )


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
    import asyncio

    from bot.storage.migrate import upgrade
    from bot.synth import SynthSpec, build_world

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
    _print_synth_summary(world, report, Translator(settings.operator_language))


async def _load(settings: Settings, world: World) -> SynthReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from bot.services import Services

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


def _print_synth_summary(world: World, report: SynthReport, t: Translator) -> None:
    from babel.numbers import format_decimal
    from rich.console import Console
    from rich.table import Table

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
