"""Statements on held connections commit whole or not at all, and return their rows."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.services import Services
from bot.storage.held_writer import Statement


def insert_workspace(services: Services, external_id: str) -> Statement:
    marker = "?" if services.database.is_sqlite else "%s"
    sql = (
        "INSERT INTO workspace (platform, external_id, name, active, created_at) "
        f"VALUES ({marker}, {marker}, '', TRUE, CURRENT_TIMESTAMP) RETURNING external_id"
    )
    return sql, ("slack", external_id)


async def stored(services: Services) -> list[str]:
    query = text("SELECT external_id FROM workspace ORDER BY external_id")
    return list(await services.database.read(lambda s: s.execute(query).scalars().all()))


async def test_statements_commit_together_and_return_their_rows(services: Services) -> None:
    one, two = insert_workspace(services, "T1"), insert_workspace(services, "T2")
    assert await services.database.write_statements([one, two]) == [("T1",), ("T2",)]
    assert await services.database.write_statements([insert_workspace(services, "T3")]) == [("T3",)]
    assert await stored(services) == ["T1", "T2", "T3"]


async def test_a_failed_statement_leaves_nothing_and_the_next_write_works(
    services: Services,
) -> None:
    await services.database.write_statements([insert_workspace(services, "T1")])
    statements = [insert_workspace(services, "T2"), insert_workspace(services, "T1")]
    with pytest.raises(Exception, match=r"(?i)unique"):
        await services.database.write_statements(statements)
    assert await stored(services) == ["T1"]
    with pytest.raises(Exception, match=r"(?i)unique"):
        await services.database.write_statements([insert_workspace(services, "T1")])
    await services.database.write_statements([insert_workspace(services, "T4")])
    assert await stored(services) == ["T1", "T4"]
