"""The handcrafted workspace plus communities worth suggesting, for the suggestion engine.

On top of `tests.support.workspace`: #cooking (C4, U1..U6, posts every week since
mid-January: steady), #running (C5, U9..U14, steady too) and #board (C6, private).
U7 and U8 are in #garden only, so #cooking and #running are their candidates.
All people live in Europe/Paris; the week after as_of (2026-03-29) starts on the
Monday after the change to summer time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.commands import Asker, Router
from bot.commands.core import core_router
from bot.events import CommunityCreated, Event
from bot.services import Services
from bot.storage.models import Community, Outbox, Person, Suggestion
from nudges.actions import register_suggestion_commands
from tests.support.events import WORKSPACE, at, join, post, react
from tests.support.workspace import handcrafted_events

TUESDAY = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)
"""10:30 in Paris (CEST) on the Tuesday after as_of: inside the default send window."""


def created(community: str, name: str, *, private: bool = False) -> CommunityCreated:
    return CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at("2026-01-01", 7),
        community=community,
        name=name,
        is_private=private,
        creator="U15",
    )


def weekly(person: str, community: str, first: date, weeks: int) -> list[Event]:
    return [post(person, community, (first + timedelta(weeks=n)).isoformat()) for n in range(weeks)]


def suggestion_events() -> list[Event]:
    events = handcrafted_events()
    events += [created("C4", "cooking"), created("C5", "running")]
    events += [created("C6", "board", private=True)]
    events += [join(f"U{i}", "C4", "2026-01-01") for i in range(1, 7)]
    events += [join(f"U{i}", "C5", "2026-01-01") for i in range(9, 15)]
    events += [join(f"U{i}", "C6", "2026-01-01") for i in (13, 14, 15)]
    events += weekly("U1", "C4", date(2026, 1, 13), 11) + weekly("U2", "C4", date(2026, 1, 14), 11)
    events += weekly("U3", "C4", date(2026, 3, 3), 4)
    events += weekly("U9", "C5", date(2026, 1, 13), 11) + weekly("U10", "C5", date(2026, 1, 15), 11)
    events += [react(f"U{i}", "C4", "2026-03-24", "U1") for i in range(4, 7)]
    events += [react(f"U{i}", "C5", "2026-03-24", "U9") for i in range(11, 15)]
    return events


async def load_workspace(services: Services) -> None:
    await services.tracker.record(suggestion_events())
    await services.tracker.fold()


def person_id(session: Session, user: str) -> int:
    person = session.exec(select(Person).where(Person.external_id == user)).one()
    assert person.id is not None
    return person.id


def community_id(session: Session, channel: str) -> int:
    community = session.exec(select(Community).where(Community.external_id == channel)).one()
    assert community.id is not None
    return community.id


def suggestion_router(services: Services) -> Router:
    router = core_router(services)
    register_suggestion_commands(router)
    return router


def asker(user: str, locale: str | None = None) -> Asker:
    return Asker("slack", WORKSPACE, user, locale=locale)


def suggestions(session: Session) -> list[Suggestion]:
    return list(session.exec(select(Suggestion).order_by(col(Suggestion.id))))


def outbox_rows(session: Session, kind: str | None = None) -> list[Outbox]:
    query = select(Outbox).order_by(col(Outbox.id))
    if kind is not None:
        query = query.where(Outbox.kind == kind)
    return list(session.exec(query))
