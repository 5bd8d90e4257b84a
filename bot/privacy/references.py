"""Where a person appears: every column that points at `person.id`, found from the schema,
so a table added later is covered without touching this code."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Column, Table, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from bot.storage.tables import INBOX_EVENT, PERSON

# Columns that name a person without a foreign key (so they survive the person's deletion).
LOOSE_REFERENCES = {("animator", "added_by_id"), ("campaign", "created_by_id")}


def person_columns() -> Iterator[tuple[Table, Column[int]]]:
    """(table, column) for every column holding a person id, foreign key or not."""
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            points_at_person = any(fk.column is PERSON.c.id for fk in column.foreign_keys)
            if points_at_person or (table.name, column.name) in LOOSE_REFERENCES:
                yield table, column


def inbox_rows_about(platform: str, workspace: str, person: str) -> ColumnElement[bool]:
    """Raw events where the person acts or is acted upon (a reaction they received)."""
    return (
        (INBOX_EVENT.c.platform == platform)
        & (INBOX_EVENT.c.workspace == workspace)
        & or_(INBOX_EVENT.c.person == person, INBOX_EVENT.c.target_person == person)
    )
