"""`engage privacy export|erase`: data rights exercised by an administrator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.context import choose_workspace, operator_translator, output_path, settings_from
from bot.errors import EngageError

if TYPE_CHECKING:
    from sqlmodel import Session

privacy_app = typer.Typer(
    help="Export or erase everything Engage holds about a person.", no_args_is_help=True
)
PERSON_HELP = "The person's platform user id (e.g. Slack U… or Teams AAD object id)."


def _person_id(session: Session, workspace: str | None, external_id: str) -> int:
    from sqlmodel import select

    from bot.storage.models import Person

    chosen = choose_workspace(session, workspace)
    person = session.exec(
        select(Person).where(Person.workspace_id == chosen.id, Person.external_id == external_id)
    ).first()
    if person is None or person.id is None:
        raise EngageError.of(
            "cli.error.no_person", person=repr(external_id), workspace=chosen.external_id
        )
    return person.id


@privacy_app.command("export")
def export_command(
    person: str = typer.Option(..., "--person", help=PERSON_HELP),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
    out: Path | None = typer.Option(None, help="Write the JSON here instead of printing it."),
) -> None:
    """Everything about one person, as JSON (right of access)."""
    from bot.privacy.rights import export_person
    from bot.storage.database import Database

    if out is not None:
        output_path(out)
    database = Database(settings_from().database_url, threads=1)
    try:
        data = database.read_sync(lambda s: export_person(s, _person_id(s, workspace, person)))
    finally:
        database.close()
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(operator_translator()("cli.files.wrote", path=out))


@privacy_app.command("erase")
def erase_command(
    person: str = typer.Option(..., "--person", help=PERSON_HELP),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
    objection: bool = typer.Option(False, "--object", help="Also drop their future events."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove every row about one person; their share of every figure goes with it."""
    from bot.privacy.rights import erase_person
    from bot.storage.database import Database

    t = operator_translator()
    if not yes and not typer.confirm(t("cli.privacy.confirm", person=person)):
        raise typer.Abort()
    database = Database(settings_from().database_url, threads=1)
    try:
        report = database.write_sync(
            lambda s: erase_person(
                s, _person_id(s, workspace, person), object_to_tracking=objection
            )
        )
    finally:
        database.close()
    details = ", ".join(f"{table} {count}" for table, count in sorted(report.rows.items()) if count)
    typer.echo(t("cli.privacy.erased", total=t.number(report.total), details=details))
    if report.objected:
        typer.echo(t("cli.privacy.objected"))
