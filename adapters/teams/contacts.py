"""How to reach Teams people and link to channels: what activities teach, and where it is kept.

`facts_from` reads an activity for conversation references (`Reach`, stored as Bot Framework's
`ConversationReference` JSON) and channel homes (`ChannelHome`: a channel, its team and the
team's group id, for deep links). A person seen only in a team gets a reference without a
conversation (and the team it came from): a 1:1 chat can be opened through the connector when
it is first needed.

`ContactBook` keeps them in the database (never only in memory): facts already stored by this
process are skipped without touching the database, so a busy channel costs no extra write per
message; the database stays the only source of truth. The rows are upserts safe under
concurrency, a 1:1 reference replacing a team-only one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlmodel import Session

from adapters.teams.ingest import (
    PLATFORM,
    Json,
    added_members,
    channel_id,
    is_bot_account,
    is_personal,
    occurred_at,
    person_key,
    team_id,
    tenant,
    text_field,
)
from bot.events import utcnow
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.database import Database
from bot.storage.tables import CONVERSATION_REF, PERSON, TEAMS_CHANNEL, WORKSPACE
from bot.tracker.directory import Directory
from bot.tracker.inbox import storable


@dataclass(frozen=True)
class Reach:
    """How to reach one person; `team` is set when no 1:1 conversation exists yet."""

    tenant: str
    person: str
    reference: Json
    team: str | None
    seen_at: datetime

    @property
    def cache_key(self) -> tuple[str, ...]:
        conversation = str((self.reference.get("conversation") or {}).get("id") or "")
        return ("reach", self.tenant, self.person, conversation, self.reference["serviceUrl"])


@dataclass(frozen=True)
class ChannelHome:
    """A channel and the team it belongs to (the General channel's id is the team's)."""

    tenant: str
    channel: str
    team: str
    group_id: str | None
    name: str | None

    @property
    def cache_key(self) -> tuple[str, ...]:
        return (
            "channel",
            self.tenant,
            self.channel,
            self.team,
            self.group_id or "",
            self.name or "",
        )


Fact = Reach | ChannelHome


def facts_from(activity: Json) -> list[Fact]:
    if not tenant(activity) or not text_field(activity, "serviceUrl"):
        return []
    sender = activity.get("from")
    moment = occurred_at(activity)
    facts: list[Fact] = []
    if is_personal(activity):
        if isinstance(sender, dict) and not is_bot_account(sender):
            ref = reference(activity, sender, with_conversation=True)
            facts.append(Reach(tenant(activity), person_key(sender), ref, None, moment))
        return facts
    team = team_id(activity)
    if not team:
        return facts
    members = [*added_members(activity), *([sender] if isinstance(sender, dict) else [])]
    for member in members:
        if not is_bot_account(member) and person_key(member):
            ref = reference(activity, member, with_conversation=False)
            facts.append(Reach(tenant(activity), person_key(member), ref, team, moment))
    group = text_field(activity, "channelData", "team", "aadGroupId") or None
    team_name = text_field(activity, "channelData", "team", "name") or None
    facts.append(ChannelHome(tenant(activity), team, team, group, team_name))
    channel = channel_id(activity)
    if channel and channel != team:
        name = text_field(activity, "channelData", "channel", "name") or None
        facts.append(ChannelHome(tenant(activity), channel, team, group, name))
    return facts


def reference(activity: Json, user: Json, *, with_conversation: bool) -> Json:
    conversation: Json = {"tenantId": tenant(activity)}
    if with_conversation:
        conversation.update(
            id=text_field(activity, "conversation", "id"),
            conversationType=text_field(activity, "conversation", "conversationType") or "personal",
        )
    return {
        "user": account(user),
        "bot": {
            "id": text_field(activity, "recipient", "id"),
            "name": text_field(activity, "recipient", "name"),
        },
        "conversation": conversation,
        "channelId": text_field(activity, "channelId") or "msteams",
        "serviceUrl": text_field(activity, "serviceUrl"),
    }


def account(member: Json) -> Json:
    """The part of a channel account a reference needs (no names, no e-mail)."""
    kept = {"id": text_field(member, "id")}
    if aad := text_field(member, "aadObjectId"):
        kept["aadObjectId"] = aad
    return kept


@dataclass(frozen=True)
class Contact:
    person_id: int
    reference: Json
    team: str | None
    unreachable: bool

    @property
    def conversation_id(self) -> str:
        return str((self.reference.get("conversation") or {}).get("id") or "")


class ContactBook:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._stored: set[tuple[str, ...]] = set()
        self.channels: dict[tuple[str, str], ChannelHome] = {}

    async def remember(self, facts: Iterable[Fact]) -> None:
        fresh = {fact.cache_key: fact for fact in facts if fact.cache_key not in self._stored}
        if not fresh:
            return
        await self.database.write(partial(store_facts, facts=list(fresh.values())))
        self._stored.update(fresh)
        for fact in fresh.values():
            if isinstance(fact, ChannelHome):
                self._learn(fact)

    def _learn(self, home: ChannelHome) -> None:
        """Keep what was known (group id, name) when a new fact leaves it out, as the rows do."""
        known = self.channels.get((home.tenant, home.channel))
        if known is not None:
            home = replace(
                home, group_id=home.group_id or known.group_id, name=home.name or known.name
            )
        self.channels[(home.tenant, home.channel)] = home

    async def load_channels(self) -> None:
        """Channel homes for deep links, read once at start-up."""

        def read(session: Session) -> list[ChannelHome]:
            rows = session.execute(
                select(WORKSPACE.c.external_id, TEAMS_CHANNEL)
                .join(WORKSPACE, WORKSPACE.c.id == TEAMS_CHANNEL.c.workspace_id)
                .where(WORKSPACE.c.platform == PLATFORM)
            ).all()
            return [
                ChannelHome(row.external_id, row.channel_id, row.team_id, row.group_id, row.name)
                for row in rows
            ]

        for home in await self.database.read(read):
            self.channels.setdefault((home.tenant, home.channel), home)

    async def find(self, tenant: str, person: str) -> Contact | None:
        def read(session: Session) -> Contact | None:
            row = session.execute(
                select(CONVERSATION_REF)
                .join(PERSON, PERSON.c.id == CONVERSATION_REF.c.person_id)
                .join(WORKSPACE, WORKSPACE.c.id == PERSON.c.workspace_id)
                .where(
                    WORKSPACE.c.platform == PLATFORM,
                    WORKSPACE.c.external_id == tenant,
                    PERSON.c.external_id == person,
                )
            ).first()
            if row is None:
                return None
            unreachable = row.unreachable_at is not None
            return Contact(row.person_id, dict(row.reference), row.team, unreachable)

        return await self.database.read(read)

    async def opened(self, contact: Contact, reference: Json) -> None:
        """A 1:1 conversation now exists for this person."""
        await self.database.write(
            lambda session: session.execute(
                update(CONVERSATION_REF)
                .where(CONVERSATION_REF.c.person_id == contact.person_id)
                .values(reference=reference, team=None, updated_at=utcnow())
            )
        )

    async def mark_unreachable(self, contact: Contact) -> None:
        moment = utcnow()
        await self.database.write(
            lambda session: session.execute(
                update(CONVERSATION_REF)
                .where(CONVERSATION_REF.c.person_id == contact.person_id)
                .values(unreachable_at=moment)
            )
        )
        self._stored = {key for key in self._stored if key[:1] != ("reach",)}

    async def forget_team(self, tenant: str, team: str) -> None:
        """The bot left a team: people only reachable through it are no longer reachable."""

        def purge(session: Session) -> None:
            workspace = session.execute(
                select(WORKSPACE.c.id).where(
                    WORKSPACE.c.platform == PLATFORM, WORKSPACE.c.external_id == tenant
                )
            ).scalar_one_or_none()
            if workspace is None:
                return
            people = select(PERSON.c.id).where(PERSON.c.workspace_id == workspace)
            session.execute(
                delete(CONVERSATION_REF).where(
                    CONVERSATION_REF.c.team == team, CONVERSATION_REF.c.person_id.in_(people)
                )
            )

        await self.database.write(purge)
        self._stored = {key for key in self._stored if key[:1] != ("reach",)}


def store_facts(session: Session, facts: list[Fact]) -> None:
    """Upsert in the caller's transaction; a 1:1 reference replaces a team-only one."""
    facts = [_storable(fact) for fact in facts]
    directory = Directory()
    directory.workspace_ids(session, {(PLATFORM, fact.tenant) for fact in facts})
    reaches = [fact for fact in facts if isinstance(fact, Reach)]
    first_seen: dict[tuple[int, str], datetime] = {}
    for reach in reaches:
        key = (directory.workspaces[(PLATFORM, reach.tenant)], reach.person)
        first_seen[key] = min(reach.seen_at, first_seen.get(key, reach.seen_at))
    directory.person_ids(session, first_seen)
    connection = session.connection()
    now = utcnow()
    for reach in reaches:
        person_id = directory.people[(directory.workspaces[(PLATFORM, reach.tenant)], reach.person)]
        row: dict[str, Any] = {
            "person_id": person_id,
            "reference": reach.reference,
            "team": reach.team,
            "updated_at": now,
        }
        insert_ignoring_conflicts(connection, CONVERSATION_REF, [row])
        if reach.team is None:
            connection.execute(
                update(CONVERSATION_REF)
                .where(CONVERSATION_REF.c.person_id == person_id)
                .values(reference=reach.reference, team=None, unreachable_at=None, updated_at=now)
            )
    for home in (fact for fact in facts if isinstance(fact, ChannelHome)):
        store_channel(session, directory.workspaces[(PLATFORM, home.tenant)], home)


def _storable(fact: Fact) -> Fact:
    """The fact with only text every database stores, as inbox rows have (`storable`)."""
    return replace(fact, **{item.name: storable(getattr(fact, item.name)) for item in fields(fact)})


def store_channel(session: Session, workspace_id: int, home: ChannelHome) -> None:
    connection = session.connection()
    insert_ignoring_conflicts(
        connection,
        TEAMS_CHANNEL,
        [
            {
                "workspace_id": workspace_id,
                "channel_id": home.channel,
                "team_id": home.team,
                "group_id": home.group_id,
                "name": home.name,
                "updated_at": utcnow(),
            }
        ],
    )
    changes: dict[str, Any] = {"team_id": home.team}
    if home.group_id:
        changes["group_id"] = home.group_id
    if home.name:
        changes["name"] = home.name
    connection.execute(
        update(TEAMS_CHANNEL)
        .where(
            and_(
                TEAMS_CHANNEL.c.workspace_id == workspace_id,
                TEAMS_CHANNEL.c.channel_id == home.channel,
            )
        )
        .values(**changes)
    )
