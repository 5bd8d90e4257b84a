"""What every CLI command shares: settings with command-line overrides, the operator's
language, checked options, the workspace a command is about, and one transaction as the
operator with campaign and lookup errors told in one line.

Light to import: the database and the domain load when a command calls these helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from bot.errors import EngageError
from bot.events import utcnow
from bot.i18n import Language, Translator
from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.settings import operator_language as settings_language

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.animators.roles import Actor
    from bot.storage.models import Campaign, Community, Workspace

EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2999, 12, 31)
T = TypeVar("T")


def settings_from(**overrides: Any) -> Settings:
    """Load settings, letting non-None command-line options win over the environment."""
    settings = load_settings(
        **{key: value for key, value in overrides.items() if value is not None}
    )
    configure_logging(settings.log_level, secret_values(settings))
    return settings


def operator_translator() -> Translator:
    """For commands that print before (or without) loading their own settings."""
    return Translator(operator_language())


def operator_language() -> Language:
    """ENGAGE_LANGUAGE (environment, .env or ENGAGE_SECRETS_DIR), else the process locale,
    else English; the other settings are not read (nor can they fail) here."""
    return settings_language()


def day_option(text: str | None, option: str = "--as-of") -> date:
    """A YYYY-MM-DD option within the years Engage can compute on; today (UTC) when absent."""
    if text is None:
        return utcnow().date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise EngageError.of("cli.error.date", option=option, text=repr(text)) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise EngageError.of(
            "cli.error.date_range", option=option, first=EARLIEST_DAY, last=LATEST_DAY, day=day
        )
    return day


def output_path(path: Path, option: str = "--out") -> Path:
    """Refuse, before any work, a file that cannot be created: no directory, or a directory."""
    if path.is_dir():
        raise EngageError.of("cli.error.out_is_directory", option=option, path=path)
    if not path.parent.is_dir():
        raise EngageError.of(
            "cli.error.out_no_directory", option=option, path=path, directory=path.parent
        )
    return path


def yaml_text(path: Path) -> str:
    """A YAML file's text, or one clear line: unreadable (a usage error) or not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EngageError(
            f"{path.name} is not UTF-8 text (byte {error.start}): save it as UTF-8 YAML"
        ) from None


def choose_workspace(session: Session, external_id: str | None) -> Workspace:
    """The workspace given, or the only one there is."""
    from sqlmodel import select

    from bot.storage.models import Workspace

    workspaces = list(session.exec(select(Workspace).order_by(Workspace.id)))  # type: ignore[arg-type]
    if external_id is not None:
        for workspace in workspaces:
            if workspace.external_id == external_id:
                return workspace
        if not workspaces:
            raise EngageError.of("cli.error.unknown_workspace_none", workspace=repr(external_id))
        known = ", ".join(w.external_id for w in workspaces)
        raise EngageError.of(
            "cli.error.unknown_workspace", workspace=repr(external_id), known=known
        )
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise EngageError.of("cli.error.no_workspace")
    known = ", ".join(w.external_id for w in workspaces)
    raise EngageError.of("cli.error.several_workspaces", known=known)


def run(work: Callable[[Session, Settings, Actor], T], *, workspace: str | None, write: bool) -> T:
    """Run `work` in one transaction as the operator of the chosen workspace."""
    from bot.animators.roles import Actor
    from bot.storage.database import Database

    settings = settings_from()
    database = Database(settings.database_url, threads=1)

    def unit(session: Session) -> T:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        with explained():
            return work(session, settings, Actor(chosen.id, None, "cli"))

    try:
        return database.write_sync(unit) if write else database.read_sync(unit)
    finally:
        database.close()


@contextmanager
def explained() -> Iterator[None]:
    """Campaign and lookup errors become EngageError, printed by `engage` as `engage: error: …`."""
    from bot.animators.roles import RoleError
    from bot.campaigns.spec import CampaignError
    from bot.commands import CommandError

    english = Translator("en")
    try:
        yield
    except CampaignError as invalid:
        lines = [
            f"{english(f'campaign.field.{p.field}')}: {english(p.key, **p.values)}"
            for p in invalid.problems
        ]
        raise EngageError("; ".join(lines)) from None
    except (CommandError, RoleError) as problem:
        raise EngageError.of(problem.key, **problem.values) from None


def campaign_of(session: Session, actor: Actor, reference: str) -> tuple[Campaign, Community]:
    from bot.campaigns.store import find_campaign

    return find_campaign(session, actor, reference)
