"""Migration 0009 adds the showcase, person_follow and follow_step tables, and takes them
away again on downgrade, leaving everything else as it was."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlmodel import Session, select

from bot.services import Services
from bot.storage.migrate import alembic_config
from bot.storage.models import PersonFollow, Showcase
from tests.support.outbox import add_people, add_workspace

NEW = {"showcase", "person_follow", "follow_step"}


def tables(services: Services) -> set[str]:
    with services.database.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


async def test_upgrade_and_downgrade(services: Services) -> None:
    config = alembic_config(services.settings.database_url)
    assert tables(services) >= NEW
    services.database.engine.dispose()
    command.downgrade(config, "0008")
    assert not tables(services) & NEW
    assert {"person", "membership", "suggestion"} <= tables(services)
    command.upgrade(config, "head")
    assert tables(services) >= NEW

    def follow(session: Session) -> None:
        alice, bob = add_people(session, add_workspace(session), "U0ALICE01", "U0BOB0001")
        session.add(Showcase(person_id=bob, followable=True))
        session.add(PersonFollow(follower_id=alice, followed_id=bob))

    await services.database.write(follow)
    count = await services.database.read(lambda s: len(list(s.exec(select(PersonFollow)))))
    assert count == 1
