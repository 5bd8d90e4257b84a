"""The right to erasure: remove every row about a person, and their share of every figure."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from bot.errors import EngageError
from bot.identity import link_people, linked_ids
from bot.privacy.objection import record_objection
from bot.privacy.references import inbox_rows_about, person_columns
from bot.storage.models import Workspace
from bot.storage.tables import DAILY_ACTIVITY, INBOX_EVENT, PERSON
from bot.tracker.fold import rebuild_community_days


@dataclass
class ErasureReport:
    rows: dict[str, int] = field(default_factory=dict)
    objected: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def erase_person(
    session: Session, person_id: int, *, object_to_tracking: bool = False
) -> ErasureReport:
    """Delete the person and everything that points at them, in one transaction.

    Rollups are deleted (not anonymised), so community figures drop the person's share.
    With `object_to_tracking`, a salted hash of their id makes ingest drop their future events.
    """
    connection = session.connection()
    person = connection.execute(select(PERSON).where(PERSON.c.id == person_id)).mappings().first()
    if person is None:
        raise EngageError(f"no person with id {person_id}")
    workspace = session.get(Workspace, person["workspace_id"])
    assert workspace is not None
    report = ErasureReport()
    about = inbox_rows_about(workspace.platform, workspace.external_id, person["external_id"])
    report.rows["inbox_event"] = connection.execute(delete(INBOX_EVENT).where(about)).rowcount
    touched = {
        row[0]
        for row in connection.execute(
            select(DAILY_ACTIVITY.c.community_id)
            .where(DAILY_ACTIVITY.c.person_id == person_id)
            .distinct()
        )
    }
    for table, column in person_columns():
        if table is PERSON:
            continue
        matching = column == person_id
        count = connection.execute(
            select(func.count()).select_from(table).where(matching)
        ).scalar_one()
        if not count:
            continue
        if column.nullable:  # a row that merely mentions them keeps living without the name
            connection.execute(update(table).where(matching).values({column.name: None}))
        else:
            connection.execute(delete(table).where(matching))
        report.rows[table.name] = report.rows.get(table.name, 0) + int(count)
    linked = linked_ids(session, person_id)
    connection.execute(delete(PERSON).where(PERSON.c.id == person_id))
    link_people(session, seen=(), emailed=linked)  # their other accounts, grouped anew
    if touched:  # the communities' daily posts no longer count theirs
        rebuild_community_days(connection, touched)
    report.rows["person"] = 1
    if object_to_tracking:
        record_objection(session, workspace.platform, workspace.external_id, person["external_id"])
        report.objected = True
    return report
