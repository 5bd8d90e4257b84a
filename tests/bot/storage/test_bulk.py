"""Many rows in one statement: inserted once, or added to what is stored."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.events import utcnow
from bot.services import Services
from bot.storage.bulk import insert_many
from bot.storage.models import DailyActivity
from bot.storage.tables import DAILY_ACTIVITY
from bot.tracker.directory import Directory
from bot.tracker.fold import ADD_COUNTS, COUNTS, KEY_COLUMNS

COLUMNS = (*KEY_COLUMNS, *COUNTS)


def people_and_community(session: Session) -> tuple[int, int, int]:
    directory = Directory()
    directory.workspace_ids(session, [("slack", "T1")])
    workspace = directory.workspaces[("slack", "T1")]
    directory.person_ids(session, {(workspace, "U1"): utcnow(), (workspace, "U2"): utcnow()})
    directory.community_ids(session, [(workspace, "C1")])
    people = directory.people
    return (
        people[(workspace, "U1")],
        people[(workspace, "U2")],
        directory.communities[(workspace, "C1")],
    )


async def test_rows_are_inserted_once_or_added_up(services: Services) -> None:
    one, two, community = await services.database.write(people_and_community)
    day = date(2026, 3, 2)

    def write(session: Session) -> tuple[int, int, list[tuple[int, int, int]]]:
        connection = session.connection()
        rows = [(day, community, one, 1, 0, 0, 0, 0, 0), (day, community, two, 0, 2, 0, 0, 0, 0)]
        first = insert_many(connection, DAILY_ACTIVITY, COLUMNS, rows, conflict=KEY_COLUMNS)
        again = insert_many(connection, DAILY_ACTIVITY, COLUMNS, rows, conflict=KEY_COLUMNS)
        insert_many(
            connection, DAILY_ACTIVITY, COLUMNS, rows, conflict=KEY_COLUMNS, update=ADD_COUNTS
        )
        stored = session.exec(select(DailyActivity)).all()
        return first, again, sorted((r.person_id, r.posts, r.replies) for r in stored)

    assert await services.database.write(write) == (2, 0, sorted([(one, 2, 0), (two, 0, 4)]))
