"""When the bot joins a team: record who is in it and how to reach them.

Members come from the connector's paged member list; the team's name and group id (for
deep links) from the activity, or from the team details when the activity lacks them.
Membership keys are stable per team and person, so installing twice counts nobody twice.
Each member's `email` (else `userPrincipalName`) is recorded as a keyed hash only, which
links them to their accounts on other platforms. The roster has no department: that
comes from the directory (`engage import directory`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.core import TurnContext
from botframework.connector.teams import TeamsConnectorClient

from adapters.teams.activity import (
    PLATFORM,
    Json,
    is_bot_account,
    occurred_at,
    person_key,
    team_id,
    tenant,
    text_field,
)
from adapters.teams.connector import bounded, turn_client
from adapters.teams.contacts import ContactBook
from adapters.teams.references import ChannelHome, Fact, Reach, reference
from bot.crypto import EmailHasher
from bot.events import CommunityRenamed, Event, MemberJoined, PersonSeen
from bot.services import Services

PAGE_SIZE = 500


async def import_team(
    turn_context: TurnContext, activity: Json, services: Services, contacts: ContactBook
) -> int:
    """Record the team's name and every member; return how many members were seen."""
    team = team_id(activity)
    client = turn_client(turn_context)
    name = text_field(activity, "channelData", "team", "name")
    group = text_field(activity, "channelData", "team", "aadGroupId")
    if not name or not group:
        details = await asyncio.to_thread(_team_details, client, turn_context, team)
        if not name:
            name = str(details.name or "")
            await services.tracker.record(_team_named(activity, team, name))
        group = group or str(details.aad_group_id or "")
    await contacts.remember(
        [ChannelHome(tenant(activity), team, team, group or None, name or None)]
    )
    await _import_channels(turn_context, activity, services, contacts, team, group or None)
    seen = 0
    hasher = EmailHasher(services.settings.secret_key)
    token: str | None = None
    while True:
        page = await client.conversations.get_teams_conversation_paged_members(
            team, PAGE_SIZE, token
        )
        members = [_account(member) for member in page.members or []]
        members = [member for member in members if not is_bot_account(member)]
        await services.tracker.record(
            _joined(activity, team, members) + _identities(activity, members, hasher)
        )
        await contacts.remember(_reaches(activity, team, members))
        seen += len(members)
        token = page.continuation_token
        if not token:
            return seen


async def _import_channels(
    turn_context: TurnContext,
    activity: Json,
    services: Services,
    contacts: ContactBook,
    team: str,
    group: str | None,
) -> None:
    """Name the team's channels, so `stats #name` finds them (General is the team's own)."""
    client = turn_client(turn_context)
    channels = await asyncio.to_thread(_team_channels, client, turn_context, team)
    named = [(str(c.id), str(c.name)) for c in channels if c.id and c.name and c.id != team]
    events: list[Event] = [
        CommunityRenamed(
            platform=PLATFORM,
            workspace=tenant(activity),
            key=f"channel-name:{channel}:{activity['id']}",
            occurred_at=occurred_at(activity),
            community=channel,
            name=name,
        )
        for channel, name in named
    ]
    await services.tracker.record(events)
    homes = [ChannelHome(tenant(activity), channel, team, group, name) for channel, name in named]
    await contacts.remember(homes)


def _teams_client(client: Any, turn_context: TurnContext) -> Any:
    """botbuilder's Teams client is synchronous: only ever called on a worker thread."""
    teams = TeamsConnectorClient(client.config.credentials, turn_context.activity.service_url)
    return bounded(teams, client.config.connection.timeout)


def _team_details(client: Any, turn_context: TurnContext, team: str) -> Any:
    return _teams_client(client, turn_context).teams.get_team_details(team)


def _team_channels(client: Any, turn_context: TurnContext, team: str) -> list[Any]:
    found = _teams_client(client, turn_context).teams.get_teams_channels(team)
    return list(found.conversations or [])


def _account(member: Any) -> Json:
    return {
        "id": member.id or "",
        "aadObjectId": member.aad_object_id or "",
        "email": getattr(member, "email", None) or getattr(member, "user_principal_name", None),
    }


def _identities(activity: Json, members: list[Json], hasher: EmailHasher) -> list[Event]:
    """Each member's e-mail as a keyed hash (none without ENGAGE_SECRET_KEY)."""
    events: list[Event] = []
    for member in members:
        email_hash = hasher(member.get("email"))
        if email_hash:
            events.append(
                PersonSeen(
                    platform=PLATFORM,
                    workspace=tenant(activity),
                    key=f"email:{person_key(member)}:{email_hash[:16]}",
                    occurred_at=occurred_at(activity),
                    person=person_key(member),
                    email_hash=email_hash,
                )
            )
    return events


def _team_named(activity: Json, team: str, name: str) -> list[Event]:
    if not name:
        return []
    return [
        CommunityRenamed(
            platform=PLATFORM,
            workspace=tenant(activity),
            key=f"team-name:{team}:{activity['id']}",
            occurred_at=occurred_at(activity),
            community=team,
            name=name,
        )
    ]


def _joined(activity: Json, team: str, members: list[Json]) -> list[Event]:
    return [
        MemberJoined(
            platform=PLATFORM,
            workspace=tenant(activity),
            key=f"roster:{team}:{person_key(member)}",
            occurred_at=occurred_at(activity),
            person=person_key(member),
            community=team,
        )
        for member in members
    ]


def _reaches(activity: Json, team: str, members: list[Json]) -> list[Fact]:
    moment = occurred_at(activity)
    return [
        Reach(
            tenant(activity),
            person_key(member),
            reference(activity, member, with_conversation=False),
            team,
            moment,
        )
        for member in members
    ]
