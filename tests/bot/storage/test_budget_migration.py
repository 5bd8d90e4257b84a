"""Migration 0004 gives the suggestions of the last weeks their budget slots, even where
overlapping planning passes had already queued more than the budget allows."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import MetaData, Table, insert
from sqlmodel import Session, SQLModel, col, select

from bot.events import utcnow
from bot.services import Services
from bot.storage.migrate import alembic_config
from bot.storage.models import (
    BudgetSlot,
    Community,
    Outbox,
    Person,
    Preference,
    Suggestion,
    Workspace,
)
from nudges.jobs import deliver
from nudges.outbox import card_to_data
from tests.support.gateways import FakeGateway
from tests.support.outbox import TEAM, WEEK, suggestion_card


def stored_as_of_now(session: Session, row: SQLModel) -> int:
    """Insert `row` with only the columns its table has at the database's current revision
    (an older one than the models describe), and give its id."""
    connection = session.connection()
    table = Table(row.__tablename__, MetaData(), autoload_with=connection)  # type: ignore[arg-type]
    values = {
        column.name: getattr(row, column.name)
        for column in table.columns
        if getattr(row, column.name, None) is not None
    }
    inserted = connection.execute(insert(table).values(values)).inserted_primary_key
    return int(inserted[0]) if inserted and inserted[0] is not None else 0


def seed(session: Session) -> None:
    """What revision 0003 stores: a workspace, two people, three suggestions (two queued)."""
    workspace = stored_as_of_now(session, Workspace(platform="slack", external_id=TEAM))
    alice, bob = (
        stored_as_of_now(session, Person(workspace_id=workspace, external_id=user))
        for user in ("U0ALICE01", "U0BOB0001")
    )
    for person in (alice, bob):
        stored_as_of_now(session, Preference(person_id=person, consent="in"))
    for channel in ("C0GARDEN1", "C0COOKING"):
        community = stored_as_of_now(
            session, Community(workspace_id=workspace, external_id=channel, name="garden")
        )
        suggestion = stored_as_of_now(
            session, Suggestion(person_id=alice, community_id=community, score=1.0)
        )
        payload = {
            "kind": "suggestion",
            "suggestion_id": suggestion,
            "community_id": community,
            "card": card_to_data(suggestion_card("garden")),
        }
        key = f"suggestion:{alice}:{community}:{WEEK}"
        stored_as_of_now(
            session, Outbox(dedup_key=key, kind="suggestion", person_id=alice, payload=payload)
        )
    running = stored_as_of_now(
        session, Community(workspace_id=workspace, external_id="C0RUNNING", name="running")
    )
    old = Suggestion(
        person_id=bob,
        community_id=running,
        planned_at=utcnow() - timedelta(days=40),
        state="ignored",
    )
    stored_as_of_now(session, old)


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
