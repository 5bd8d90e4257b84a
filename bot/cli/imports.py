"""`engage import …`: bring exported history into the tracker."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
from babel.numbers import format_decimal
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from bot.cli.context import settings_from
from bot.i18n import Translator
from bot.importers.directory import DirectorySummary, read_directory, store_directory
from bot.importers.report import ImportSummary
from bot.importers.slack_export import import_slack_export
from bot.services import Services
from bot.settings import EmailHasher, Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade

import_app = typer.Typer(help="Import history from a platform export.", no_args_is_help=True)


@import_app.command("slack-export")
def slack_export_command(
    path: Annotated[Path, typer.Argument(help="Slack export: a directory or a .zip file.")],
    workspace: Annotated[
        str | None,
        typer.Option(
            help="Workspace id to record the history under (default: export:<PATH name>)."
        ),
    ] = None,
) -> None:
    """Import a Slack export (channels.json, users.json, <channel>/<YYYY-MM-DD>.json).

    Metadata only: message text, files and topics are never read into Engage. Re-running
    the import skips files already imported, so nothing is counted twice.
    """
    settings = settings_from()
    upgrade(settings.database_url)
    started = time.perf_counter()
    summary = asyncio.run(_import(settings, path, workspace))
    t = Translator(settings.operator_language)
    _print_summary(summary, time.perf_counter() - started, t)


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


async def _import(settings: Settings, path: Path, workspace: str | None) -> ImportSummary:
    services = Services.build(settings)
    bar = _Bar()
    try:
        summary = await import_slack_export(services, path, workspace=workspace, progress=bar)
        bar.close()
        return summary
    finally:
        bar.close(failed=True)
        await services.stop()


class _Bar:
    """A progress bar over day files on stderr, shown once the export is known to be readable."""

    def __init__(self) -> None:
        self._console = Console(stderr=True)
        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
        )
        self._task: TaskID | None = None

    def begin(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("day files", total=total)

    def advance(self, name: str) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def close(self, *, failed: bool = False) -> None:
        """After a failure, a log or a pipe gets the error line alone, not the bar's last frame."""
        if self._task is None:
            return
        if failed and not self._console.is_terminal:
            self._console.quiet = True
        self._progress.stop()
        self._task = None


def _print_summary(summary: ImportSummary, seconds: float, t: Translator) -> None:
    table = Table(title=t("cli.import.title", workspace=summary.workspace))
    table.add_column("")
    table.add_column(t("cli.import.count"), justify="right")
    rows = [
        ("files_imported", summary.files_imported),
        ("files_skipped", summary.files_skipped),
        ("new", summary.events.new),
        ("duplicates", summary.events.duplicates),
        ("future", summary.events.future),
        ("bot_messages", summary.bot_messages),
        ("other_messages", summary.other_messages),
        ("people", summary.people),
        ("channels", summary.channels),
        ("folded", summary.folded),
    ]
    for label, value in rows:
        table.add_row(t(f"cli.import.row.{label}"), t.number(value))
    console = Console()
    console.print(table)
    if summary.unknown_folders:
        folders = ", ".join(sorted(summary.unknown_folders))
        console.print(t("cli.import.unknown_folders", folders=folders))
    seconds_shown = format_decimal(seconds, "0.0", locale=t.language)
    console.print(t("cli.import.done", seconds=seconds_shown))
