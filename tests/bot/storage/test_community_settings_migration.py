"""Migration 0008 adds the community settings (never suggest, welcome line), additively:
communities that existed keep everything and are suggested as before; downgrading drops them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from bot.services import Services
from bot.storage.migrate import alembic_config


def columns(services: Services) -> set[str]:
    with services.database.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns("community")}


async def test_upgrade_and_downgrade(services: Services) -> None:
    config = alembic_config(services.settings.database_url)
    services.database.engine.dispose()
    command.downgrade(config, "0005")
    assert not {"never_suggest", "welcome"} & columns(services)
    with services.database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (platform, external_id, name, active, created_at) "
                 "VALUES ('slack', 'T1', '', true, '2026-03-01')")
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO community (workspace_id, external_id, name, is_private, "
                 "is_archived, is_deleted, pitch) VALUES (1, 'C1', 'garden', false, false, "
                 "false, 'Seeds')")
        )  # fmt: skip
    command.upgrade(config, "head")
    assert {"never_suggest", "welcome"} <= columns(services)
    with services.database.engine.connect() as connection:
        row = connection.execute(
            text("SELECT pitch, never_suggest, welcome FROM community WHERE external_id = 'C1'")
        ).one()
    assert (row.pitch, bool(row.never_suggest), row.welcome) == ("Seeds", False, None)
    command.downgrade(config, "0005")
    assert not {"never_suggest", "welcome"} & columns(services)
    command.upgrade(config, "head")
