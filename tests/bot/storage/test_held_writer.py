"""Units of work on held driver connections commit whole or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Dialect, text

from bot.services import Services


def insert_workspace(external_id: str, fail: bool = False) -> Any:
    def work(cursor: Any, dialect: Dialect) -> int:
        marker = "?" if dialect.name == "sqlite" else "%s"
        cursor.execute(
            "INSERT INTO workspace (platform, external_id, name, active, created_at) "
            f"VALUES ({marker}, {marker}, '', TRUE, CURRENT_TIMESTAMP)",
            ("slack", external_id),
        )
        if fail:
            raise RuntimeError("the unit failed after its insert")
        return 1

    return work


async def stored(services: Services) -> list[str]:
    query = text("SELECT external_id FROM workspace ORDER BY external_id")
    return list(await services.database.read(lambda s: s.execute(query).scalars().all()))


async def test_a_unit_commits_and_a_failed_one_leaves_nothing(services: Services) -> None:
    assert await services.database.write_held(insert_workspace("T1")) == 1
    assert await stored(services) == ["T1"]
    with pytest.raises(RuntimeError):
        await services.database.write_held(insert_workspace("T2", fail=True))
    assert await stored(services) == ["T1"]
    await services.database.write_held(insert_workspace("T3"))  # on a fresh connection
    assert await stored(services) == ["T1", "T3"]


async def test_a_database_error_is_raised_and_the_next_unit_works(services: Services) -> None:
    await services.database.write_held(insert_workspace("T1"))
    with pytest.raises(Exception, match=r"(?i)unique"):
        await services.database.write_held(insert_workspace("T1"))
    await services.database.write_held(insert_workspace("T2"))
    assert await stored(services) == ["T1", "T2"]


async def test_a_one_statement_unit_commits(services: Services) -> None:
    assert await services.database.write_held(insert_workspace("T1"), one_statement=True) == 1
    assert await stored(services) == ["T1"]
