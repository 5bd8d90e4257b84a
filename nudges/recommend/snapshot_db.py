"""Build a recommender Snapshot from the database, as of a moment.

Reads one workspace's communities, current memberships and dismissals, and only the twelve
ISO weeks of daily rollups before `as_of`, so its cost does not grow with history. State
changed after `as_of` is rolled back as far as the stored rows tell.

Memberships and rollups are read per community and filtered to humans here, not joined to
`person` in SQL: with such a join and no planner statistics (a fresh SQLite database),
SQLite read every person of the workspace once per community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, Row, and_, select
from sqlmodel import Session

from bot.events import as_utc
from bot.storage.database import Database
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY, DISMISSAL, MEMBERSHIP, PERSON
from nudges.recommend.driver_rows import Moments, as_date, driver_rows
from nudges.recommend.snapshot import (
    CommunityInfo,
    DayActivity,
    DismissalInfo,
    MembershipInfo,
    Snapshot,
    counted_days,
)

DAILY_COUNTS = [
    DAILY_ACTIVITY.c[name]
    for name in ("posts", "replies", "reactions_given", "reactions_received", "joins")
]


@dataclass(frozen=True)
class LoadedSnapshot:
    snapshot: Snapshot
    people: dict[int, str]
    """Person id -> external id, for the humans who may be suggested communities."""
    communities: dict[int, tuple[str, str]]
    """Community id -> (external id, name)."""


async def load_snapshot(database: Database, workspace_id: int, as_of: datetime) -> LoadedSnapshot:
    return await database.read(partial(read_snapshot, workspace_id=workspace_id, as_of=as_of))


def read_snapshot(session: Session, workspace_id: int, as_of: datetime) -> LoadedSnapshot:
    reader = _Reader(session.connection(), workspace_id, as_of)
    communities, labels = reader.communities()
    humans = reader.humans()
    snapshot = Snapshot(
        as_of,
        communities,
        [m for m in reader.memberships() if m.community in communities and m.person in humans],
        [a for a in reader.activity() if a.community in communities and a.person in humans],
        [d for d in reader.dismissals() if d.community in communities],
    )
    return LoadedSnapshot(snapshot, reader.people(), labels)


class _Reader:
    def __init__(self, connection: Connection, workspace_id: int, as_of: datetime) -> None:
        self.connection = connection
        self.as_of = as_of
        self.in_workspace = COMMUNITY.c.workspace_id == workspace_id
        self.is_human = and_(PERSON.c.workspace_id == workspace_id, PERSON.c.is_bot.is_(False))

    def communities(self) -> tuple[dict[int, CommunityInfo], dict[int, tuple[str, str]]]:
        infos: dict[int, CommunityInfo] = {}
        labels: dict[int, tuple[str, str]] = {}
        for row in self.connection.execute(select(COMMUNITY).where(self.in_workspace)):
            created = as_utc(row.created_at) if row.created_at is not None else None
            if created is None or created < self.as_of:
                archived = bool(row.is_archived or row.is_deleted)
                infos[row.id] = CommunityInfo(row.id, bool(row.is_private), archived, created)
                labels[row.id] = (row.external_id, row.name)
        return infos, labels

    def humans(self) -> set[int]:
        return {row[0] for row in self.connection.execute(select(PERSON.c.id).where(self.is_human))}

    def people(self) -> dict[int, str]:
        query = select(PERSON.c.id, PERSON.c.external_id).where(
            self.is_human, PERSON.c.deleted.is_(False)
        )
        return {row.id: row.external_id for row in self.connection.execute(query)}

    def memberships(self) -> list[MembershipInfo]:
        query = (
            select(
                MEMBERSHIP.c.person_id,
                MEMBERSHIP.c.community_id,
                MEMBERSHIP.c.state,
                MEMBERSHIP.c.since,
                MEMBERSHIP.c.joined_at,
            )
            .join(COMMUNITY, COMMUNITY.c.id == MEMBERSHIP.c.community_id)
            .where(self.in_workspace)
        )
        moment = Moments()
        found = (
            _membership_at(person, community, state, moment(since), moment(joined), self.as_of)
            for person, community, state, since, joined in driver_rows(self.connection, query)
        )
        return [membership for membership in found if membership is not None]

    def activity(self) -> list[DayActivity]:
        """A million rows: plain columns in `DayActivity`'s order, straight from the driver."""
        first, last = counted_days(self.as_of)
        query = (
            select(
                DAILY_ACTIVITY.c.day,
                DAILY_ACTIVITY.c.community_id,
                DAILY_ACTIVITY.c.person_id,
                *DAILY_COUNTS,
            )
            .join(COMMUNITY, COMMUNITY.c.id == DAILY_ACTIVITY.c.community_id)
            .where(self.in_workspace, DAILY_ACTIVITY.c.day >= first, DAILY_ACTIVITY.c.day <= last)
        )
        days: dict[object, date] = {}
        found = []
        for day, *rest in driver_rows(self.connection, query):
            found.append(DayActivity(days.get(day) or days.setdefault(day, as_date(day)), *rest))
        return found

    def dismissals(self) -> list[DismissalInfo]:
        query = (
            select(DISMISSAL)
            .join(COMMUNITY, COMMUNITY.c.id == DISMISSAL.c.community_id)
            .where(self.in_workspace)
        )
        found = [
            DismissalInfo(row.person_id, row.community_id, _until(row))
            for row in self.connection.execute(query)
            if as_utc(row.created_at) < self.as_of
        ]
        return [dismissal for dismissal in found if dismissal.active(self.as_of)]


def _membership_at(
    person: int,
    community: int,
    state: str,
    since: datetime | None,
    joined: datetime | None,
    as_of: datetime,
) -> MembershipInfo | None:
    """The state a membership row had at `as_of` (times in UTC), when the row still tells."""
    assert since is not None
    if state in ("member", "follower"):
        start = joined if state == "member" and joined is not None else since
        if start < as_of:
            return MembershipInfo(person, community, state, start)
        return None
    if state == "left":
        if since < as_of:
            return MembershipInfo(person, community, "left", joined)
        if joined is not None and joined < as_of:
            return MembershipInfo(person, community, "member", joined)
    return None


def _until(row: Row[Any]) -> datetime | None:
    if row.kind == "never" or row.until is None:
        return None
    return as_utc(row.until)
