"""Every row of every table, for tests that search the whole database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel


def dump_tables(session: Session) -> dict[str, list[dict[str, Any]]]:
    connection = session.connection()
    return {
        table.name: [dict(row) for row in connection.execute(select(table)).mappings()]
        for table in SQLModel.metadata.sorted_tables
    }


def dump_text(session: Session) -> str:
    return repr(dump_tables(session))
