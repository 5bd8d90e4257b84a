"""`engage report`: the animator report as a self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from bot.cli.context import day_option, output_path, settings_from
from bot.cli.workspaces import choose_workspace
from bot.commands import CommandError
from bot.errors import EngageError
from bot.i18n import Translator, language_for
from bot.report.build import build_report
from bot.storage.database import Database


def report_command(
    out: Path = typer.Option(..., "--out", help="Where to write the HTML page."),
    community: str | None = typer.Option(None, "--community", "-c", help="Community id or name."),
    as_of: str | None = typer.Option(None, "--as-of", help="Compute as of this date (YYYY-MM-DD)."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the page: en or fr (default: the operator's)."
    ),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
) -> None:
    """Weekly activity, ladder, silent share trend, funnel and campaign results, as HTML."""
    if lang not in (None, "en", "fr"):
        raise EngageError.of("cli.error.report_lang", lang=repr(lang))
    output_path(out)
    day = day_option(as_of)
    settings = settings_from()
    language = language_for(lang) if lang else settings.operator_language
    database = Database(settings.database_url, threads=1)

    def build(session: Session) -> str:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        try:
            return build_report(session, settings, chosen.id, community, day, language)
        except CommandError as problem:
            raise EngageError.of(problem.key, **problem.values) from None

    try:
        page = database.read_sync(build)
    finally:
        database.close()
    out.write_text(page, encoding="utf-8")
    typer.echo(Translator(settings.operator_language)("cli.files.wrote", path=out))
