"""The handcrafted workspace, folded, with helpers to name its rows and act on campaigns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from bot.animators.roles import Actor
from bot.campaigns.store import change_state, save_campaign
from bot.services import Services
from bot.storage.models import Audit, Campaign, Community, Person, Preference, Suggestion, Workspace
from tests.support.workspace import AS_OF, handcrafted_events

NOW = datetime.combine(AS_OF, time(15), tzinfo=UTC)


@dataclass(frozen=True)
class Ids:
    workspace: int
    people: dict[str, int]
    communities: dict[str, int]


def ids_in(session: Session) -> Ids:
    workspace = session.exec(select(Workspace)).one()
    assert workspace.id is not None
    people = {p.external_id: p.id for p in session.exec(select(Person)) if p.id}
    communities = {c.external_id: c.id for c in session.exec(select(Community)) if c.id}
    return Ids(workspace.id, people, communities)


async def ready_workspace(services: Services) -> Ids:
    """Record and fold the handcrafted workspace; the clock stands at AS_OF, 15:00 UTC."""
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: NOW
    return await services.database.read(ids_in)


async def opt_in(services: Services, people: Iterable[int]) -> None:
    def write(session: Session) -> None:
        for person in people:
            session.add(Preference(person_id=person, consent="in"))

    await services.database.write(write)


async def operator_campaign(
    services: Services, workspace: int, state: str = "draft", **values: Any
) -> int:
    """Create a campaign as the operator (CLI), then move it to `state`."""
    moves = {"draft": (), "active": ("activate",), "paused": ("activate", "pause")}

    def create(session: Session) -> int:
        actor = Actor(workspace, None, "cli")
        campaign = save_campaign(session, (), actor, values, today=NOW.date(), now=NOW)
        for verb in moves.get(state, ("end",)):
            change_state(session, (), actor, campaign, verb, NOW.date())
        assert campaign.id is not None
        return campaign.id

    return await services.database.write(create)


async def suggestions(
    services: Services, community: int, people: list[int], campaign: int | None = None,
    **steps: int,
) -> None:  # fmt: skip
    """One sent suggestion per person, 10 days before NOW; then the first `steps[name]`
    people took step `name` (followed, joined, dismissed, first_post) a day later."""
    sent = NOW - timedelta(days=10)

    def write(session: Session) -> None:
        for i, person in enumerate(people):
            row = Suggestion(
                person_id=person, community_id=community, campaign_id=campaign,
                state="sent", planned_at=sent, sent_at=sent,
            )  # fmt: skip
            for step, how_many in steps.items():
                if i < how_many:
                    setattr(row, f"{step}_at", sent + timedelta(days=1))
                    row.state = step if step != "first_post" else row.state
            session.add(row)

    await services.database.write(write)


async def counts(services: Services) -> tuple[int, int]:
    """(campaigns, audit rows) in the database."""

    def count(session: Session) -> tuple[int, int]:
        return len(session.exec(select(Campaign)).all()), len(session.exec(select(Audit)).all())

    return await services.database.read(count)


async def audit_rows(services: Services) -> list[Audit]:
    return await services.database.read(
        lambda session: list(session.exec(select(Audit).order_by(Audit.id)))  # type: ignore[arg-type]
    )


# Audience: garden members not in archive-club: U7..U15.
SPRING = {
    "community": "archive-club", "name": "spring", "pitch_en": "Come along",
    "audience": "members", "audience_communities": "garden", "ends": "2026-04-30",
    "boost": "2.5", "starts": "2026-03-20",
}  # fmt: skip
