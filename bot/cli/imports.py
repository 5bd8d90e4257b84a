"""`engage import …`: bring exported history into the tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import settings_from
from bot.crypto import EmailHasher
from bot.importers.directory import DirectorySummary, read_directory, store_directory
from bot.storage.database import Database
from bot.storage.migrate import upgrade

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
