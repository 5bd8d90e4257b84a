"""Writing what activities teach about reaching people: upserts safe under concurrency."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, update
from sqlmodel import Session

from adapters.teams.activity import PLATFORM
from adapters.teams.references import ChannelHome, Fact, Reach
from bot.events import utcnow
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.tables import CONVERSATION_REF, TEAMS_CHANNEL
from bot.tracker.directory import Directory
from bot.tracker.rows import storable


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
