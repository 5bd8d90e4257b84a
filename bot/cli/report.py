"""`engage report`: the animator report as a self-contained HTML file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from sqlmodel import Session

from bot.cli.context import settings_from
from bot.cli.workspaces import choose_workspace
from bot.clock import utcnow
from bot.commands.context import CommandError
from bot.errors import EngageError
from bot.i18n import Translator, language_for
from bot.report.build import build_report
from bot.storage.database import Database


def report_command(
    out: Path = typer.Option(..., "--out", help="Where to write the HTML page."),
    community: str | None = typer.Option(None, "--community", "-c", help="Community id or name."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Compute as of this date (YYYY-MM-DD)."
    ),
    lang: str = typer.Option("en", "--lang", help="Language of the page: en or fr."),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
) -> None:
    """Weekly activity, ladder, silent share trend, funnel and campaign results, as HTML."""
    if lang not in ("en", "fr"):
        raise EngageError(f"--lang must be en or fr, not {lang!r}")
    language = language_for(lang)
    settings = settings_from()
    day = as_of.date() if as_of else utcnow().date()
    database = Database(settings.database_url, threads=1)

    def build(session: Session) -> str:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        try:
            return build_report(session, settings, chosen.id, community, day, language)
        except CommandError as problem:
            raise EngageError(Translator("en")(problem.key, **problem.values)) from None

    try:
        page = database.read_sync(build)
    finally:
        database.close()
    out.write_text(page, encoding="utf-8")
    typer.echo(f"wrote {out}")
