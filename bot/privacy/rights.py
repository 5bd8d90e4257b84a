"""Data rights: everything Engage holds about one person (access), its erasure, objection,
and retention limits beyond the raw inbox.

Where a person appears is found from the schema (every column pointing at `person.id`);
an objection keeps only a salted hash of the person's id, which blocks ingest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, RowMapping, Table, delete, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from bot.errors import EngageError
from bot.events import utcnow
from bot.identity import link_people, linked_ids
from bot.privacy.objection import record_objection
from bot.settings import Settings
from bot.storage.models import Workspace
from bot.storage.tables import DAILY_ACTIVITY, INBOX_EVENT, PERSON
from bot.tracker.fold import rebuild_community_days

NOT_EXPORTED = {("person_follow", "followed_id")}
"""Who follows someone is never told to them, not even in their own export."""


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _person(session: Session, person_id: int) -> tuple[RowMapping, Workspace]:
    """The person's row as stored, and their workspace."""
    query = select(PERSON).where(PERSON.c.id == person_id)
    person = session.connection().execute(query).mappings().first()
    if person is None:
        raise EngageError(f"no person with id {person_id}")
    workspace = session.get(Workspace, person["workspace_id"])
    assert workspace is not None
    return person, workspace


def export_person(session: Session, person_id: int) -> dict[str, Any]:
    """The person's row, every row that references them, and their raw events. Other people
    appear only as internal ids of rows the person owns, never by name or external id."""
    connection = session.connection()
    person, workspace = _person(session, person_id)
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
    person, workspace = _person(session, person_id)
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


FINISHED_OUTBOX_STATES = ("sent", "dead", "unknown")


@dataclass(frozen=True)
class RetentionReport:
    rollups: int
    outbox: int
    audit: int


def apply_retention(session: Session, settings: Settings, now: datetime) -> RetentionReport:
    """Delete rows past their limit, each limit read from settings."""
    tables = SQLModel.metadata.tables
    connection = session.connection()
    daily: Table = tables["daily_activity"]
    rollup_horizon = (now - timedelta(days=settings.rollup_retention_days)).date()
    rollups = connection.execute(delete(daily).where(daily.c.day < rollup_horizon)).rowcount
    days: Table = tables["community_day"]
    connection.execute(delete(days).where(days.c.day < rollup_horizon))
    outbox_table: Table = tables["outbox"]
    outbox_horizon = now - timedelta(days=settings.outbox_retention_days)
    outbox = connection.execute(
        delete(outbox_table).where(
            outbox_table.c.state.in_(FINISHED_OUTBOX_STATES),
            outbox_table.c.created_at < outbox_horizon,
        )
    ).rowcount
    audit = 0
    if "audit" in tables:  # the audit log arrives with animators' roles
        audit_table: Table = tables["audit"]
        audit_horizon = now - timedelta(days=settings.audit_retention_days)
        audit = connection.execute(
            delete(audit_table).where(audit_table.c.created_at < audit_horizon)
        ).rowcount
    return RetentionReport(rollups=max(rollups, 0), outbox=max(outbox, 0), audit=max(audit, 0))


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


REFUSAL = (
    "ENGAGE_PERSON_STATS=off: per-person views are disabled "
    "(each person still sees their own figures with `me`)"
)


def require_person_views(settings: Settings) -> None:
    """Refuse a view of someone else's figures or suggestions when the switch is off."""
    if settings.person_stats == "off":
        raise EngageError(REFUSAL)
