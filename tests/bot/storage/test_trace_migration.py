"""Migration 0002 builds the traces and community days of a database that holds rollups."""

from __future__ import annotations

from alembic import command

from bot.services import Services
from bot.storage.migrate import alembic_config
from tests.bot.tracker.test_traces_store import derived as traces
from tests.support.workspace import handcrafted_events


async def test_upgrading_from_0001_rebuilds_the_traces_folding_kept(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    kept = await services.database.read(traces)
    assert all(kept)
    config = alembic_config(services.settings.database_url)
    services.database.engine.dispose()
    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    assert await services.database.read(traces) == kept
