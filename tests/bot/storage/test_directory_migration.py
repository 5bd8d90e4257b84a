"""Migration 0007 adds e-mail hashes, human links and the directory; going back drops them
and keeps every person and their rollups."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session

from bot.services import Services
from bot.storage.migrate import alembic_config
from tests.support.workspace import handcrafted_events


def counts(session: Session) -> tuple[int, int]:
    connection = session.connection()
    people = connection.execute(text("SELECT count(*) FROM person")).scalar_one()
    rollups = connection.execute(text("SELECT count(*) FROM daily_activity")).scalar_one()
    return people, rollups


async def test_downgrade_then_upgrade_keeps_people_and_rollups(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    kept = await services.database.read(counts)
    config = alembic_config(services.settings.database_url)
    services.database.engine.dispose()
    command.downgrade(config, "0005")
    inspector = inspect(services.database.engine)
    columns_down = {column["name"] for column in inspector.get_columns("person")}
    tables_down = set(inspector.get_table_names())
    after_down = await services.database.read(counts)
    services.database.engine.dispose()
    command.upgrade(config, "head")
    inspector = inspect(services.database.engine)
    columns_up = {column["name"] for column in inspector.get_columns("person")}
    assert kept[0] > 0
    assert kept[1] > 0
    assert after_down == kept
    assert not {"email_hash", "human_id"} & columns_down
    assert "directory_entry" not in tables_down
    assert {"email_hash", "human_id"} <= columns_up
    assert "directory_entry" in inspect(services.database.engine).get_table_names()
    assert await services.database.read(counts) == kept
