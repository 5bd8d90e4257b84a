"""`engage suggest`: the operator's preview of suggestions, added to the CLI by `adapters.main`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

import typer

from bot.cli.context import choose_workspace, day_option, settings_from
from bot.errors import EngageError
from bot.events import utcnow
from bot.i18n import Translator

if TYPE_CHECKING:
    from sqlmodel import Session

    from nudges.recommend.rank import Preview


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest_command)


def suggest_command(
    person: str | None = typer.Option(None, "--person", help="The person's external id."),
    everyone: bool = typer.Option(False, "--all", help="Everyone in the workspace."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="As if it were the end of this day (YYYY-MM-DD); later events ignored.",
    ),
    limit: int = typer.Option(3, "--limit", min=1, help="Suggestions per person."),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Ranked suggestions with scores and reasons, for anyone. Ignores consent; sends nothing."""
    from bot.privacy.rights import require_person_views
    from bot.storage.database import Database
    from nudges.recommend.rank import preview

    if (person is None) == (not everyone):
        raise EngageError.of("cli.error.suggest_who")
    settings = settings_from()
    require_person_views(settings)
    moment = (
        utcnow()
        if as_of is None
        else datetime.combine(day_option(as_of) + timedelta(days=1), time(), UTC)
    )
    database = Database(settings.database_url, threads=1)

    def ranked(session: Session) -> Preview:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        never = never_suggested(session, chosen.id)
        found = preview(
            session,
            chosen,
            person,
            moment,
            limit + len(never),
            settings.social_proof_min,
            settings.min_group_size,
        )
        return without(found, {external for _, external in never}, limit)

    try:
        result = database.read_sync(ranked)
    finally:
        database.close()
    if as_json:
        typer.echo(json.dumps(result.as_data(), indent=2, ensure_ascii=False))
    else:
        _print(result, Translator(settings.operator_language))


def never_suggested(session: Session, workspace_id: int) -> list[tuple[int, str]]:
    """(id, external id) of the workspace's communities its animators never want suggested."""
    from sqlmodel import col, select

    from bot.storage.models import Community

    query = select(Community.id, Community.external_id).where(
        Community.workspace_id == workspace_id, col(Community.never_suggest).is_(True)
    )
    return [(int(cid), external) for cid, external in session.exec(query) if cid is not None]


def without(result: Preview, never: set[str], limit: int) -> Preview:
    from nudges.recommend.rank import PersonPreview, Preview

    people = [
        PersonPreview(
            entry.person,
            [item for item in entry.suggestions if item.community not in never][:limit],
        )
        for entry in result.people
    ]
    return Preview(result.workspace, result.as_of, people)


def _print(result: Preview, t: Translator) -> None:
    from rich.console import Console
    from rich.table import Table

    before = t.moment(result.as_of, "format.datetime")
    table = Table(title=t("cli.suggest.title", workspace=result.workspace, before=before))
    for column in ("person", "#", "community", "score", "reasons", "why"):
        heading = t(f"cli.suggest.column.{column}") if column != "#" else column
        table.add_column(heading, justify="right" if column in ("#", "score") else "left")
    for entry in result.people:
        if not entry.suggestions:
            table.add_row(entry.person, "", f"[dim]{t('cli.suggest.none')}[/dim]", "", "", "")
        for rank, item in enumerate(entry.suggestions, 1):
            reasons = ", ".join(_short(reason) for reason in item.reasons)
            table.add_row(
                entry.person if rank == 1 else "",
                str(rank),
                f"#{item.name or item.community}",
                f"{item.score:.4g}",
                reasons,
                item.sentence.get(t.language, item.sentence["en"]),
            )
    Console().print(table)


def _short(reason: dict[str, object]) -> str:
    detail = reason.get("count", reason.get("value"))
    return f"{reason['code']}={detail}" if detail is not None else str(reason["code"])
