"""`engage db …`: schema management and backups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.context import output_path, settings_from
from bot.errors import EngageError

if TYPE_CHECKING:
    from bot.storage.migrate import Migration

db_app = typer.Typer(
    help="Create, upgrade, check, dump and restore the database.", no_args_is_help=True
)
CHECK_EXIT_CODES = {"current": 0, "behind": 1, "ahead": 2, "unknown": 3}
"""By `SchemaState`: `engage db check`'s exit code."""


def _safe(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Target revision."),
    yes: bool = typer.Option(
        False, "--yes", help="Also apply destructive migrations (stop every replica first)."
    ),
) -> None:
    """Apply every pending migration (engage serve does this at start, additive ones only)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from bot.i18n import Translator
    from bot.storage.migrate import alembic_config, upgrade

    settings = settings_from()
    try:
        upgrade(settings.database_url, revision, allow_destructive=yes)
    except CommandError as refused:
        scripts = ScriptDirectory.from_config(alembic_config(settings.database_url))
        known = ", ".join(sorted(script.revision for script in scripts.walk_revisions()))
        reason = str(refused).strip().splitlines()[0]
        raise EngageError.of(
            "cli.error.upgrade", revision=repr(revision), reason=reason, known=known
        ) from None
    t = Translator(settings.operator_language)
    typer.echo(t("cli.db.upgraded", url=_safe(settings.database_url), revision=revision))


@db_app.command("check")
def check_command() -> None:
    """Compare the schema with this version: exit 0 current, 1 behind, 2 ahead, 3 unknown."""
    from bot.storage.migrate import SchemaState, check_schema

    settings = settings_from()
    check = check_schema(settings.database_url)
    name, at = _safe(settings.database_url), ", ".join(check.database) or "none (empty)"
    if check.state is SchemaState.CURRENT:
        typer.echo(f"database {name} is current: revision {at}, as this version expects")
    elif check.state is SchemaState.BEHIND:
        typer.echo(
            f"database {name} is behind: at revision {at}, this version expects {check.code}; "
            f"{len(check.pending)} pending migration(s):"
        )
        for step in check.pending:
            typer.echo(_describe(step))
        destructive = any(step.destructive for step in check.pending)
        typer.echo(
            "run engage db upgrade --yes after stopping every replica and backing up"
            if destructive
            else "run engage db upgrade (all are additive: running replicas may stay up)"
        )
    elif check.state is SchemaState.AHEAD:
        typer.echo(
            f"database {name} is ahead: at revision {at}, newer than this version "
            f"(which knows up to {check.code}); run the newer version of Engage"
        )
    else:
        typer.echo(
            f"database {name} is at an unknown revision {at}, not one of this version's "
            f"(up to {check.code}): is it another application's database?"
        )
    raise typer.Exit(CHECK_EXIT_CODES[check.state])


def _describe(step: Migration) -> str:
    marker = " [destructive]" if step.destructive else ""
    return f"  {step.revision}{marker} {step.title}"


@db_app.command("dump")
def dump_command(
    file: Path = typer.Argument(..., help="Dump file to write (replaced if it exists)."),
) -> None:
    """Write a consistent backup: pg_dump's custom format, or a copy of the SQLite file."""
    from bot.storage.migrate import dump

    settings = settings_from()
    dump(settings.database_url, output_path(file, "FILE"))
    typer.echo(f"database {_safe(settings.database_url)} dumped to {file}")


@db_app.command("restore")
def restore_command(
    file: Path = typer.Argument(..., help="A file written by engage db dump."),
) -> None:
    """Load a dump into the configured database, which must be new and empty."""
    from bot.storage.migrate import database_revisions, restore

    settings = settings_from()
    restore(file, settings.database_url)
    at = ", ".join(database_revisions(settings.database_url)) or "none"
    typer.echo(
        f"{file} restored into {_safe(settings.database_url)} (revision {at}); "
        "engage db check tells whether it needs engage db upgrade"
    )
