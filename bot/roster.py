"""Roster sync: what a platform says about its people and communities, reconciled into
the tracker as ordinary neutral events — only what differs from what the tracker knows.

Each platform's adapter provides a `RosterSource` (Slack: `adapters.slack.roster`, Teams:
`adapters.teams.roster`); `services.roster_sources` holds those whose gateway is
installed. The `roster` job syncs every workspace of every source; lifecycle events (an
install, the bot added to a channel or team) start one workspace's sync in the
background with `sync_soon`, never inside the request.

Keys are derived from what the tracker knew when the difference was found, so a sync
repeated after a crash (before its events were folded) records nothing twice, and a
sync that finds nothing new records nothing. The first sync of a workspace dates the
joins of people already in a community at the community's creation (as an export
import does), so that a new install does not look like a day of mass joins.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, select
from sqlmodel import Session

from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityRenamed,
    CommunityUnarchived,
    Event,
    MemberJoined,
    MemberLeft,
    PersonSeen,
    as_utc,
)
from bot.storage.bulk import upsert
from bot.storage.models import Meta
from bot.storage.tables import COMMUNITY, MEMBERSHIP, META, PERSON, WORKSPACE

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("engage.roster")
ROSTER = "roster"
"""The `source` of memberships a roster sync found."""
SYNCED_AT = "roster.synced_at"
PROGRESS = "roster.progress"


@dataclass
class RosterReport:
    platform: str
    workspaces: int = 0
    people: int = 0
    communities: int = 0
    events: int = 0
    complete: bool = True
    problems: list[str] = field(default_factory=list)

    def add(self, other: RosterReport) -> None:
        self.workspaces += other.workspaces
        self.people += other.people
        self.communities += other.communities
        self.events += other.events
        self.complete = self.complete and other.complete
        self.problems += other.problems

    def describe(self) -> str:
        state = "complete" if self.complete else "partial: " + "; ".join(self.problems)
        return (
            f"{self.platform}: {self.workspaces} workspace(s), {self.people} people, "
            f"{self.communities} communities, {self.events} event(s) written ({state})"
        )


class RosterSource(Protocol):
    platform: str

    async def sync(self, workspace: str | None = None) -> RosterReport:
        """Sync one workspace (external id), or every installed one."""
        ...


@dataclass(frozen=True)
class RosterCommunity:
    """A community as the platform lists it. `members` None: its roster is not readable."""

    external_id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    created_at: datetime | None = None
    creator: str | None = None
    members: frozenset[str] | None = None


@dataclass(frozen=True)
class _KnownPerson:
    display_name: str | None
    locale: str | None
    tz: str | None
    department: str | None
    is_bot: bool
    deleted: bool


@dataclass(frozen=True)
class _KnownCommunity:
    id: int
    name: str
    is_private: bool
    is_archived: bool
    created_at: datetime | None
    creator: str | None


class Reconciler:
    """One workspace's sync: compares snapshots with the tracker and records differences."""

    def __init__(self, services: Services, platform: str, workspace: str) -> None:
        self.services = services
        self.platform = platform
        self.workspace = workspace
        self.written = 0
        self.first_sync = True
        self._people: dict[str, _KnownPerson] = {}
        self._communities: dict[str, _KnownCommunity] = {}

    async def load(self) -> None:
        """Fold what is pending, then read what the tracker knows of the workspace."""
        await self.services.tracker.fold()
        found = await self.services.database.read(self._load)
        self._people, self._communities, self.first_sync = found

    def _load(
        self, session: Session
    ) -> tuple[dict[str, _KnownPerson], dict[str, _KnownCommunity], bool]:
        synced = session.get(Meta, meta_key(SYNCED_AT, self.platform, self.workspace))
        connection = session.connection()
        workspace_id = connection.execute(
            select(WORKSPACE.c.id).where(
                WORKSPACE.c.platform == self.platform, WORKSPACE.c.external_id == self.workspace
            )
        ).scalar_one_or_none()
        if workspace_id is None:
            return {}, {}, synced is None
        fields = ("display_name", "locale", "tz", "department", "is_bot", "deleted")
        people_query = select(PERSON.c.external_id, *(PERSON.c[name] for name in fields))
        people = {
            row[0]: _KnownPerson(*row[1:])
            for row in connection.execute(people_query.where(PERSON.c.workspace_id == workspace_id))
        }
        creator = PERSON.alias("creator")
        community_query = (
            select(
                COMMUNITY.c.external_id,
                COMMUNITY.c.id,
                COMMUNITY.c.name,
                COMMUNITY.c.is_private,
                COMMUNITY.c.is_archived,
                COMMUNITY.c.created_at,
                creator.c.external_id,
            )
            .outerjoin(creator, creator.c.id == COMMUNITY.c.creator_id)
            .where(COMMUNITY.c.workspace_id == workspace_id)
        )
        communities = {
            row[0]: _KnownCommunity(*row[1:]) for row in connection.execute(community_query)
        }
        return people, communities, synced is None

    async def people(self, seen: Iterable[PersonSeen]) -> int:
        """Record the profiles that tell the tracker something new; return how many."""
        events: list[Event] = [event for event in seen if self._person_differs(event)]
        return await self._record(events)

    def _person_differs(self, event: PersonSeen) -> bool:
        known = self._people.get(event.person)
        if known is None:
            return True
        # Only what folding can change: a None field is unknown, a False flag is never stored.
        return (
            any(
                value is not None and value != getattr(known, name)
                for name, value in (
                    ("display_name", event.display_name),
                    ("locale", event.locale),
                    ("tz", event.tz),
                    ("department", event.department),
                )
            )
            or (event.is_bot and not known.is_bot)
            or (event.deleted and not known.deleted)
        )

    async def community(self, community: RosterCommunity, now: datetime) -> int:
        """Record how a community and its members differ from what the tracker knows."""
        known = self._communities.get(community.external_id)
        events = self._community_events(community, known, now)
        if community.members is not None:
            stored = await self.services.database.read(
                lambda session: _members(session, known.id) if known else {}
            )
            events += self._member_events(community, known, stored, now)
        return await self._record(events)

    def _common(self, key: str, when: datetime) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "workspace": self.workspace,
            "key": f"{ROSTER}:{key}",
            "occurred_at": when,
        }

    def _community_events(
        self, community: RosterCommunity, known: _KnownCommunity | None, now: datetime
    ) -> list[Event]:
        ident = community.external_id
        events: list[Event] = []
        learns_origin = known is not None and (
            (community.created_at is not None and known.created_at is None)
            or bool(community.creator and not known.creator)
        )
        if known is None or learns_origin:
            events.append(
                CommunityCreated(
                    **self._common(
                        f"created:{ident}:{community.creator or '-'}", community.created_at or now
                    ),
                    community=ident,
                    name=community.name,
                    is_private=community.is_private,
                    creator=community.creator,
                )
            )
        elif known is not None and community.name and community.name != known.name:
            change = _digest(known.name, community.name)
            events.append(
                CommunityRenamed(
                    **self._common(f"renamed:{ident}:{change}", now),
                    community=ident,
                    name=community.name,
                )
            )
        archived = known.is_archived if known is not None else False
        if community.is_archived != archived:
            kind = CommunityArchived if community.is_archived else CommunityUnarchived
            stamp = now.strftime("%Y%m%d")
            events.append(
                kind(**self._common(f"{kind.kind}:{ident}:{stamp}", now), community=ident)
            )
        return events

    def _member_events(
        self,
        community: RosterCommunity,
        known: _KnownCommunity | None,
        stored: dict[str, tuple[str, datetime]],
        now: datetime,
    ) -> list[Event]:
        assert community.members is not None
        ident = community.external_id
        origin = community.created_at or (known.created_at if known else None)
        events: list[Event] = []
        for person in sorted(community.members):
            state = stored.get(person)
            if state is not None and state[0] == "member":
                continue
            since = "new" if state is None else f"{as_utc(state[1]).timestamp():.0f}"
            when = origin if state is None and self.first_sync and origin else now
            events.append(
                MemberJoined(
                    **self._common(f"joined:{ident}:{person}:{since}", when),
                    person=person,
                    community=ident,
                    source=ROSTER,
                )
            )
        for person, (state_name, since_at) in sorted(stored.items()):
            if state_name == "member" and person not in community.members:
                since = f"{as_utc(since_at).timestamp():.0f}"
                events.append(
                    MemberLeft(
                        **self._common(f"left:{ident}:{person}:{since}", now),
                        person=person,
                        community=ident,
                        source=ROSTER,
                    )
                )
        return events

    async def _record(self, events: list[Event]) -> int:
        if not events:
            return 0
        # Its own transactions (the import path), never in the group commits of live events.
        written = (await self.services.tracker.record_bulk(events)).new
        self.written += written
        return written

    async def finish(self, now: datetime) -> None:
        """Fold what this sync recorded and note the time of this complete sync."""
        await self.services.tracker.fold()
        await save_meta(self.services, meta_key(SYNCED_AT, self.platform, self.workspace), now)
        await clear_progress(self.services, self.platform, self.workspace)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def _members(session: Session, community_id: int) -> dict[str, tuple[str, datetime]]:
    query = (
        select(PERSON.c.external_id, MEMBERSHIP.c.state, MEMBERSHIP.c.since)
        .join(PERSON, PERSON.c.id == MEMBERSHIP.c.person_id)
        .where(MEMBERSHIP.c.community_id == community_id)
    )
    return {row[0]: (row[1], row[2]) for row in session.connection().execute(query)}


def meta_key(prefix: str, platform: str, workspace: str) -> str:
    return f"{prefix}.{platform}.{workspace}"


async def save_meta(services: Services, key: str, value: datetime | dict[str, Any] | str) -> None:
    if isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = value if isinstance(value, str) else json.dumps(value)

    def save(session: Session) -> None:
        upsert(session.connection(), META, ("key",), {"key": key, "value": text})

    await services.database.write(save)


async def load_progress(services: Services, platform: str, workspace: str) -> dict[str, Any]:
    """Where an unfinished sync of this workspace stopped (empty: start from the top)."""
    key = meta_key(PROGRESS, platform, workspace)
    row = await services.database.read(lambda session: session.get(Meta, key))
    if row is None:
        return {}
    try:
        found = json.loads(row.value)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def save_progress(
    services: Services, platform: str, workspace: str, state: dict[str, Any]
) -> None:
    await save_meta(services, meta_key(PROGRESS, platform, workspace), state)


async def clear_progress(services: Services, platform: str, workspace: str) -> None:
    key = meta_key(PROGRESS, platform, workspace)

    def clear(session: Session) -> None:
        session.connection().execute(delete(META).where(META.c.key == key))

    await services.database.write(clear)


async def roster(services: Services) -> str:
    """The `roster` job: sync every workspace of every installed roster source."""
    sources = list(services.roster_sources)
    if not sources:
        return "no roster source installed: nothing synced"
    lines = []
    for source in sources:
        report = await source.sync()
        lines.append(report.describe())
    return "; ".join(lines)


def sync_soon(
    services: Services, platform: str, workspace: str
) -> asyncio.Task[RosterReport] | None:
    """Start a background sync of one workspace unless one is running; never awaited by
    the caller (a request answers at once)."""
    source = next((s for s in services.roster_sources if s.platform == platform), None)
    if source is None:
        return None
    running = services.roster_tasks.get((platform, workspace))
    if running is not None and not running.done():
        return None
    task: asyncio.Task[RosterReport] = asyncio.create_task(
        _logged(source, workspace), name=f"engage-roster-{platform}-{workspace}"
    )
    services.roster_tasks[(platform, workspace)] = task
    return task


async def _logged(source: RosterSource, workspace: str) -> RosterReport:
    try:
        report = await source.sync(workspace)
    except Exception:
        log.exception(
            "roster sync of %s %s failed; the scheduled sync retries", source.platform, workspace
        )
        return RosterReport(source.platform, complete=False, problems=["failed"])
    log.info("roster sync: %s", report.describe())
    return report
