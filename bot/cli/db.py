"""`engage db …`: schema management."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from bot.cli.context import settings_from
from bot.storage.migrate import upgrade

db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Target revision."),
) -> None:
    """Apply every pending migration (engage serve does this at start)."""
    settings = settings_from()
    upgrade(settings.database_url, revision)
    safe = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"database {safe} is at revision {revision}")
