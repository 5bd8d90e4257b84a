"""`engage teams-package`, added to the CLI by the composition root (`adapters.main`)."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.teams.package import build_package
from bot.cli.context import operator_translator


def register(app: typer.Typer) -> None:
    @app.command("teams-package")
    def teams_package_command(
        app_id: str = typer.Option(..., "--app-id", help="The bot's Microsoft App ID (GUID)."),
        url: str = typer.Option(..., "--url", help="Public https:// address of `engage serve`."),
        out: Path = typer.Option(Path("engage-teams.zip"), "--out", help="Package to write."),
    ) -> None:
        """Write the Teams app package (manifest and icons) to upload in Teams."""
        written = build_package(app_id, url, out)
        typer.echo(operator_translator()("cli.teams_package.wrote", path=written))
