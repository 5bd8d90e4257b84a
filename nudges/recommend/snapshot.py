"""What the recommender knows, and reading it from the database as of a moment.

A `Snapshot` is plain data (no database or platform types): one workspace's communities,
memberships and dismissals at `as_of`, and the daily rollups of the twelve ISO weeks
before it (`counted_days`), so that its cost does not grow with history.

`read_snapshot` builds one from the database. State changed after `as_of` is rolled back
as far as the stored rows tell: people first seen later are left out, and a membership
row that starts after `as_of` (someone who left before it and came back after, say) is
read as it was from the join, leave and post days of the daily rollups.

Memberships and rollups are read per community and filtered to humans here, not joined
to `person` in SQL: with such a join and no planner statistics (a fresh SQLite database),
SQLite read every person of the workspace once per community. The million rollup rows are
read straight from the database driver (`driver_rows`), each distinct date or time parsed
once (SQLite returns them as text, PostgreSQL as objects).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, Row, Select, and_, or_, select, tuple_
from sqlmodel import Session

from bot.events import as_utc
from bot.metrics.definitions import WEEKS
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY, DISMISSAL, MEMBERSHIP, PERSON

if TYPE_CHECKING:
    from nudges.recommend.model import Model


@dataclass(frozen=True, slots=True)
class CommunityInfo:
    id: int
    is_private: bool = False
    is_archived: bool = False
    created_at: datetime | None = None


class MembershipInfo(NamedTuple):
    """A person's relation to a community at the snapshot's date (a tuple: a snapshot
    holds a million of them)."""

    person: int
    community: int
    state: str = "member"  # member | follower | left
    joined_at: datetime | None = None


class DayActivity(NamedTuple):
    """One rollup row: what a person did in a community on one day (a tuple, as above)."""

    day: date
    community: int
    person: int
    posts: int = 0
    replies: int = 0
    reactions_given: int = 0
    reactions_received: int = 0
    joins: int = 0


@dataclass(frozen=True, slots=True)
class DismissalInfo:
    person: int
    community: int
    until: datetime | None = None  # None: never suggest again

    def active(self, as_of: datetime) -> bool:
        return self.until is None or self.until > as_of


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Communities, memberships, dismissals, and activity rollups over a bounded window.

    `activity` should cover the `RHYTHM_SPAN_DAYS` (`bot.metrics.definitions`) before
    `as_of`; older rows are ignored.
    """

    as_of: datetime
    communities: Mapping[int, CommunityInfo]
    memberships: Sequence[MembershipInfo] = ()
    activity: Sequence[DayActivity] = ()
    dismissals: Sequence[DismissalInfo] = ()
    models: dict[datetime, Model] = field(default_factory=dict, repr=False)
    """The model prepared from this snapshot for each date ranked (`rank.model_for`)."""


def counted_days(as_of: datetime) -> tuple[date, date]:
    """First and last day of the window: a day counts once it has started before `as_of`."""
    last = (as_of - timedelta(microseconds=1)).date()
    return window_start(last), last


def window_start(last: date) -> date:
    """Monday of the ISO week eleven weeks before the week of `last`: twelve ISO weeks."""
    return last - timedelta(days=last.weekday()) - timedelta(weeks=WEEKS - 1)


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
            self.is_human, PERSON.c.deleted.is_(False), PERSON.c.first_seen_at < self.as_of
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
        found, later = [], []
        for person, community, state, since, joined in driver_rows(self.connection, query):
            at = _membership_at(person, community, state, moment(since), moment(joined), self.as_of)
            if at is not None:
                found.append(at)
            else:
                later.append((person, community))
        return found + self.from_rollups(later)

    def from_rollups(self, pairs: Sequence[tuple[int, int]]) -> list[MembershipInfo]:
        """What memberships whose stored row starts after `as_of` were at `as_of`, from the
        rollup days wholly before it: the last day with a join or a leave decides (on one
        day, the larger count wins); without one, a post made a member on its first day."""
        last_day = (self.as_of - timedelta(microseconds=1)).date()
        if self.as_of.time() != time(0):
            last_day -= timedelta(days=1)  # `as_of`'s own day is only partly before it
        rollup = DAILY_ACTIVITY.c
        moved: dict[tuple[int, int], tuple[date, int, int]] = {}
        posted: dict[tuple[int, int], date] = {}
        for start in range(0, len(pairs), PAIRS):
            wanted = tuple_(rollup.person_id, rollup.community_id).in_(pairs[start : start + PAIRS])
            query = select(
                rollup.person_id, rollup.community_id, rollup.day, rollup.joins, rollup.leaves
            ).where(
                wanted,
                rollup.day <= last_day,
                or_(rollup.joins > 0, rollup.leaves > 0, rollup.posts > 0, rollup.replies > 0),
            )
            for person, community, day, joins, leaves in driver_rows(self.connection, query):
                key, on = (person, community), as_date(day)
                if joins or leaves:
                    if key not in moved or moved[key][0] < on:
                        moved[key] = (on, joins, leaves)
                elif key not in posted or on < posted[key]:
                    posted[key] = on
        found = []
        for person, community in sorted(moved.keys() | posted.keys()):
            if (person, community) in moved:
                day, joins, leaves = moved[(person, community)]
                state = "member" if joins > leaves else "left"
            else:
                day, joins, state = posted[(person, community)], 1, "member"
            joined = datetime.combine(day, time(0), UTC) if joins else None
            found.append(MembershipInfo(person, community, state, joined))
        return found

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


PART = 10_000
PAIRS = 400
"""(person, community) pairs per query (written into its text by `driver_rows`)."""


def driver_rows(connection: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows as the driver returns them (SQLite: dates and times as text), without
    SQLAlchemy's processing of each value: seconds saved on a million rows."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    result = connection.execution_options(no_parameters=True).exec_driver_sql(sql)
    try:
        while rows := result.cursor.fetchmany(PART):
            yield from rows
    finally:
        result.close()


def as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class Moments:
    """Driver values as UTC datetimes, each distinct value parsed once."""

    def __init__(self) -> None:
        self.parsed: dict[object, datetime] = {}

    def __call__(self, value: object) -> datetime | None:
        if value is None:
            return None
        found = self.parsed.get(value)
        if found is None:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            found = self.parsed[value] = as_utc(moment)
        return found
