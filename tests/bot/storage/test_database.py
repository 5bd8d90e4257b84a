from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from bot.errors import DatabaseError
from bot.services import Services
from bot.storage.database import Database
from bot.storage.models import Person, Workspace


def test_migrations_create_exactly_the_model(services: Services) -> None:
    with services.database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert set(SQLModel.metadata.tables) <= set(inspect(services.database.engine).get_table_names())


async def test_write_commits_and_read_sees_it(services: Services) -> None:
    def add(session: Session) -> int:
        workspace = Workspace(platform="slack", external_id="T0001")
        session.add(workspace)
        session.flush()
        assert workspace.id is not None
        return workspace.id

    workspace_id = await services.database.write(add)
    found = await services.database.read(
        lambda session: session.exec(select(Workspace).where(Workspace.id == workspace_id)).one()
    )
    assert found.external_id == "T0001"


async def test_write_rolls_back_when_work_fails(services: Services) -> None:
    def fail(session: Session) -> None:
        session.add(Workspace(platform="slack", external_id="T0002"))
        session.flush()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await services.database.write(fail)
    assert await services.database.read(lambda s: s.exec(select(Workspace)).all()) == []


async def test_foreign_keys_are_enforced(services: Services) -> None:
    def orphan(session: Session) -> None:
        session.add(Person(workspace_id=9999, external_id="U1"))
        session.flush()

    with pytest.raises(IntegrityError):
        await services.database.write(orphan)


async def test_engine_is_tuned_for_its_backend(services: Services) -> None:
    def probe(session: Session) -> list[object]:
        if services.database.is_sqlite:
            return [
                session.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
        return [session.get_bind().dialect.driver]

    expected = ["wal", 1, 10_000] if services.database.is_sqlite else ["psycopg"]
    assert await services.database.read(probe) == expected


async def test_unreachable_database_is_one_readable_line() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/x")
    try:
        with pytest.raises(DatabaseError) as raised:
            await database.check()
    finally:
        database.close()
    assert str(raised.value).startswith("database unavailable:")
    assert "\n" not in str(raised.value)
