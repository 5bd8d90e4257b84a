"""What every `engage campaign` command shares: a database session, errors as one line each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlmodel import Session

from bot.animators.roles import Actor, RoleError
from bot.campaigns.spec import CampaignError
from bot.campaigns.store import find_campaign
from bot.cli.context import settings_from
from bot.cli.workspaces import choose_workspace
from bot.commands import CommandError
from bot.errors import EngageError
from bot.i18n import Translator
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Campaign, Community

T = TypeVar("T")
ENGLISH = Translator("en")


@contextmanager
def explained() -> Iterator[None]:
    """Campaign and lookup errors become EngageError, printed by `engage` as `engage: error: …`."""
    try:
        yield
    except CampaignError as invalid:
        lines = [
            f"{ENGLISH(f'campaign.field.{p.field}')}: {ENGLISH(p.key, **p.values)}"
            for p in invalid.problems
        ]
        raise EngageError("; ".join(lines)) from None
    except (CommandError, RoleError) as problem:
        raise EngageError.of(problem.key, **problem.values) from None


def run(work: Callable[[Session, Settings, Actor], T], *, workspace: str | None, write: bool) -> T:
    """Run `work` in one transaction as the operator of the chosen workspace."""
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


def campaign_of(session: Session, actor: Actor, reference: str) -> tuple[Campaign, Community]:
    return find_campaign(session, actor, reference)
