"""Whether the database's schema is this code's: what /readyz reports as `migrations`."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from bot.services import Services
from bot.storage.migrate import code_revisions, migrations, schema_state


async def stamp(services: Services, statement: str) -> None:
    await services.database.write(lambda session: session.execute(text(statement)))


async def test_a_migrated_database_is_current(services: Services) -> None:
    assert code_revisions()[0] == frozenset({migrations()[-1].revision})
    assert await services.database.read(schema_state) == "current"


async def test_pending_migrations_are_behind(services: Services) -> None:
    await stamp(services, "UPDATE alembic_version SET version_num = '0004'")
    assert await services.database.read(schema_state) == "behind"


async def test_a_revision_of_a_newer_release_is_ahead(services: Services) -> None:
    await stamp(services, "UPDATE alembic_version SET version_num = '0099'")
    assert await services.database.read(schema_state) == "ahead"


async def test_a_database_never_migrated_is_behind(services: Services) -> None:
    await stamp(services, "DROP TABLE alembic_version")

    def state_then_still_usable(session: Session) -> tuple[str, int]:
        return schema_state(session), int(session.execute(text("SELECT 1")).scalar_one())

    assert await services.database.read(state_then_still_usable) == ("behind", 1)
