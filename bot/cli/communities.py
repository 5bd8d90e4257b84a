"""`engage community show|set|apply`: a community's settings, as the operator."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from bot.animators.commands import (
    ENGLISH,
    SettingError,
    apply_yaml,
    save_settings,
    settings_of,
)
from bot.animators.roles import Actor
from bot.cli.campaign_io import run
from bot.cli.context import yaml_text
from bot.commands.lookup import find_community
from bot.errors import EngageError
from bot.settings import Settings

community_app = typer.Typer(
    help="A community's settings: pitch, never suggest, welcome line.", no_args_is_help=True
)
WORKSPACE = typer.Option(None, "--workspace", help="Workspace external id, if several.")
COMMUNITY = typer.Argument(..., help="The community's name or id.")


def _lines(name: str, pitch: str | None, never: bool, welcome: str | None) -> str:
    return (
        f"#{name}\n  pitch: {pitch or '—'}\n  never suggest: {'yes' if never else 'no'}\n"
        f"  welcome: {welcome or '—'}"
    )


@community_app.command("show")
def show_command(community: str = COMMUNITY, workspace: str | None = WORKSPACE) -> None:
    """The community's settings."""

    def load(session: Session, _settings: Settings, actor: Actor) -> str:
        found = find_community(session, actor, community)
        settings = settings_of(found)
        name = found.name or found.external_id
        return _lines(name, settings.pitch, settings.never_suggest, settings.welcome)

    typer.echo(run(load, workspace=workspace, write=False))


@community_app.command("set")
def set_command(
    community: str = COMMUNITY,
    pitch: str | None = typer.Option(None, help="Why follow it (empty: none)."),
    never_suggest: bool | None = typer.Option(
        None, "--never-suggest/--suggest", help="Never suggest it, or suggest it again."
    ),
    welcome: str | None = typer.Option(
        None, help="Sent to people who join after a suggestion (empty: none)."
    ),
    workspace: str | None = WORKSPACE,
) -> None:
    """Change any of the community's settings; the others stay."""
    given = {"pitch": pitch, "never_suggest": never_suggest, "welcome": welcome}
    values = {name: value for name, value in given.items() if value is not None}
    if not values:
        raise EngageError("give --pitch, --never-suggest/--suggest or --welcome")

    def change(session: Session, _settings: Settings, actor: Actor) -> list[str]:
        found = find_community(session, actor, community)
        try:
            return save_settings(session, (), actor, found, values)
        except SettingError as problem:
            raise EngageError(ENGLISH(problem.key, **problem.values)) from None

    changed = run(change, workspace=workspace, write=True)
    typer.echo(f"changed: {', '.join(changed)}" if changed else "nothing changed")


@community_app.command("apply")
def apply_command(
    path: Path = typer.Argument(
        ..., help="YAML: a list of `community:` entries with pitch, never_suggest, welcome."
    ),
    workspace: str | None = WORKSPACE,
) -> None:
    """Apply every entry of the file, all or none; errors name the entry."""
    text = yaml_text(path)
    changed = run(
        lambda session, _, actor: apply_yaml(session, actor, text, path.name),
        workspace=workspace,
        write=True,
    )
    for name, fields in changed.items():
        typer.echo(f"#{name}: {', '.join(fields) if fields else 'unchanged'}")
