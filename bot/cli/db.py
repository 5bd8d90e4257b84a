"""`engage db …`: schema management."""

from __future__ import annotations

import typer
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import make_url

from bot.cli.context import settings_from
from bot.errors import EngageError
from bot.i18n import Translator
from bot.storage.migrate import alembic_config, upgrade

db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Target revision."),
) -> None:
    """Apply every pending migration (engage serve does this at start)."""
    settings = settings_from()
    try:
        upgrade(settings.database_url, revision)
    except CommandError as refused:
        scripts = ScriptDirectory.from_config(alembic_config(settings.database_url))
        known = ", ".join(sorted(script.revision for script in scripts.walk_revisions()))
        reason = str(refused).strip().splitlines()[0]
        raise EngageError.of(
            "cli.error.upgrade", revision=repr(revision), reason=reason, known=known
        ) from None
    safe = make_url(settings.database_url).render_as_string(hide_password=True)
    t = Translator(settings.operator_language)
    typer.echo(t("cli.db.upgraded", url=safe, revision=revision))
