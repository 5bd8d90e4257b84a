"""Migration 0004 gives the suggestions of the last weeks their budget slots, even where
overlapping planning passes had already queued more than the budget allows."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.clock import utcnow
from bot.services import Services
from bot.storage.migrate import alembic_config
from bot.storage.models import BudgetSlot, Person, Preference, Suggestion
from nudges.jobs import deliver
from tests.support.gateways import FakeGateway
from tests.support.outbox import add_community, add_workspace, queue_suggestion


def add_people_of_0003(session: Session, workspace: int, *users: str) -> list[int]:
    """People as revision 0003 stores them: only the columns it has."""
    table = Person.__table__  # type: ignore[attr-defined]
    ids = []
    for user in users:
        values = {"workspace_id": workspace, "external_id": user, "first_seen_at": utcnow()}
        ids.append(
            session.connection().execute(insert(table).values(values)).inserted_primary_key[0]
        )
    session.add_all(Preference(person_id=person_id, consent="in") for person_id in ids)
    return ids


def seed(session: Session) -> None:
    workspace = add_workspace(session)
    alice, bob = add_people_of_0003(session, workspace, "U0ALICE01", "U0BOB0001")
    for channel in ("C0GARDEN1", "C0COOKING"):
        queue_suggestion(session, alice, add_community(session, workspace, channel))
    old = Suggestion(
        person_id=bob,
        community_id=add_community(session, workspace, "C0RUNNING"),
        planned_at=utcnow() - timedelta(days=40),
        state="ignored",
    )
    session.add(old)


def slots(session: Session) -> list[tuple[int, int]]:
    rows = session.exec(select(BudgetSlot).order_by(col(BudgetSlot.suggestion_id)))
    return [(row.suggestion_id, row.slot) for row in rows]


def suggestion_ids(session: Session) -> list[int]:
    return [s.id for s in session.exec(select(Suggestion).order_by(col(Suggestion.id))) if s.id]


async def test_upgrading_numbers_the_slots_of_a_week_over_budget(services: Services) -> None:
    config = alembic_config(services.settings.database_url)
    services.database.engine.dispose()
    command.downgrade(config, "0003")
    await services.database.write(seed)
    command.upgrade(config, "head")
    first, second, _old = await services.database.read(suggestion_ids)
    assert await services.database.read(slots) == [(first, 1), (second, 2)]
    gateway = FakeGateway()
    services.gateways = {"slack": gateway}
    summary = await deliver(services)
    assert summary == "delivered: 1 sent, 0 to retry, 0 dead, 0 unknown, 1 cancelled"
    assert await services.database.read(slots) == [(first, 1)]
