"""Everything Engage holds about one person, as JSON-ready data (their right of access)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.clock import utcnow
from bot.errors import EngageError
from bot.privacy.references import inbox_rows_about, person_columns
from bot.storage.models import Workspace
from bot.storage.tables import INBOX_EVENT, PERSON

NOT_EXPORTED = {("person_follow", "followed_id")}
"""Who follows someone is never told to them, not even in their own export."""


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_person(session: Session, person_id: int) -> dict[str, Any]:
    """The person's row, every row that references them, and their raw events. Other people
    appear only as internal ids of rows the person owns, never by name or external id."""
    connection = session.connection()
    person = connection.execute(select(PERSON).where(PERSON.c.id == person_id)).mappings().first()
    if person is None:
        raise EngageError(f"no person with id {person_id}")
    workspace = session.get(Workspace, person["workspace_id"])
    assert workspace is not None
    export: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "person": {key: _value(value) for key, value in person.items()},
        "workspace": {"platform": workspace.platform, "external_id": workspace.external_id},
    }
    for table, column in person_columns():
        if table is PERSON or (table.name, column.name) in NOT_EXPORTED:
            continue
        rows = connection.execute(select(table).where(column == person_id)).mappings()
        found = [{key: _value(value) for key, value in row.items()} for row in rows]
        if found:
            export.setdefault(table.name, []).extend(found)
    about = inbox_rows_about(workspace.platform, workspace.external_id, person["external_id"])
    events = []
    for row in connection.execute(select(INBOX_EVENT).where(about)).mappings():
        event = {key: _value(value) for key, value in row.items()}
        if row["person"] != person["external_id"]:
            event["person"] = None  # someone else's action towards them: keep that person out
        events.append(event)
    if events:
        export["inbox_event"] = events
    return export
