"""Conversation references and channel homes in the database (never only in memory).

Facts already stored by this process are skipped without touching the database, so a busy
channel costs no extra write per message; the database stays the only source of truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy import delete, select, update
from sqlmodel import Session

from adapters.teams.activity import PLATFORM, Json
from adapters.teams.contact_rows import store_facts
from adapters.teams.references import ChannelHome, Fact
from bot.events import utcnow
from bot.storage.database import Database
from bot.storage.tables import CONVERSATION_REF, PERSON, TEAMS_CHANNEL, WORKSPACE


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
