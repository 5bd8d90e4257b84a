"""The demo workspace: generated (synth) or imported (Slack export), then folded."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

from adapters.console.gateway import PLATFORM
from bot.cli.workspaces import choose_workspace
from bot.events import utcnow
from bot.importers.slack_export import import_slack_export
from bot.services import Services
from bot.storage.models import Community, DailyActivity, Person, Workspace
from bot.synth import SynthSpec, build_world

DEMO_WORKSPACE = "demo"
DEMO_DAYS = 120
STALE = timedelta(days=7)


async def generate(services: Services, people: int, communities: int, seed: int) -> int:
    """Generate the synthetic workspace and fold it; return how many events were written."""
    spec = SynthSpec(
        people=people,
        communities=communities,
        days=DEMO_DAYS,
        seed=seed,
        end=utcnow().date(),
        platform=PLATFORM,
        workspace=DEMO_WORKSPACE,
    )
    world = build_world(spec)
    recorded = await services.tracker.record_bulk(world.events())
    await services.tracker.fold()
    await services.database.refresh_statistics()
    return recorded.new


async def import_export(services: Services, path: Path) -> int:
    summary = await import_slack_export(services, path)
    return summary.folded


def activity_end(session: Session, workspace_id: int) -> date | None:
    """The last day with recorded activity in the workspace."""
    query = (
        select(func.max(DailyActivity.day))
        .join(Community, col(Community.id) == col(DailyActivity.community_id))
        .where(Community.workspace_id == workspace_id)
    )
    return session.exec(query).one()


def start_moment(session: Session, workspace_id: int) -> datetime:
    """Now, or just after the activity ends when it ended long ago (an old export): the
    figures, suggestions and the console's clock then describe the workspace when alive."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    last = activity_end(session, workspace_id)
    if last is None or now.date() - last <= STALE:
        return now
    return datetime.combine(last + timedelta(days=1), time(12), UTC)


def the_workspace(session: Session, external_id: str | None = None) -> Workspace:
    return choose_workspace(session, external_id)


def find_person(session: Session, workspace_id: int, text: str) -> Person | None:
    """A person by external id, or by display name (case-insensitive)."""
    wanted = text.strip().lstrip("@")
    people = session.exec(
        select(Person).where(Person.workspace_id == workspace_id, Person.is_bot.is_(False))  # type: ignore[attr-defined]
    ).all()
    for person in people:
        if person.external_id == wanted:
            return person
    lowered = wanted.lower()
    for person in people:
        if (person.display_name or "").lower() == lowered:
            return person
    return None
