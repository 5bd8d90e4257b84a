"""When the bot joins a team, or the team changes: record who is in it and how to reach them.

Members come from the connector's paged member list; the team's name and group id (for
deep links) from the activity, or from the team details when the activity lacks them.
Membership keys are stable per team and person, so installing twice counts nobody twice.
Then `bot.roster` reconciles the team and its channels: a standard channel's members are
the team's members; a private or shared channel (`type` "private"/"shared" in the
channel list) has its own roster, read where the bot is present (unknown otherwise).
"""

from __future__ import annotations

import asyncio
import logging
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
from bot.events import CommunityRenamed, Event, MemberJoined
from bot.roster import Reconciler, RosterCommunity
from bot.services import Services

log = logging.getLogger("engage.teams.roster")
PAGE_SIZE = 500
OWN_ROSTER = ("private", "shared")


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
    channels = await _import_channels(
        turn_context, activity, services, contacts, team, group or None
    )
    everyone: set[str] = set()
    token: str | None = None
    while True:
        page = await client.conversations.get_teams_conversation_paged_members(
            team, PAGE_SIZE, token
        )
        members = [_account(member) for member in page.members or []]
        members = [member for member in members if not is_bot_account(member)]
        await services.tracker.record(_joined(activity, team, members))
        await contacts.remember(_reaches(activity, team, members))
        everyone.update(person_key(member) for member in members)
        token = page.continuation_token
        if not token:
            break
    reconciler = Reconciler(services, PLATFORM, tenant(activity))
    await reconciler.load()
    moment = occurred_at(activity)
    await reconciler.community(RosterCommunity(team, name, members=frozenset(everyone)), moment)
    for channel, channel_name, kind in channels:
        members_of = (
            await _own_roster(client, channel) if kind in OWN_ROSTER else frozenset(everyone)
        )
        community = RosterCommunity(
            channel, channel_name, is_private=kind == "private", members=members_of
        )
        await reconciler.community(community, moment)
    await reconciler.finish(services.clock())
    return len(everyone)


async def _own_roster(client: Any, channel: str) -> frozenset[str] | None:
    """A private or shared channel's members, or None when the bot may not read them."""
    found: set[str] = set()
    token: str | None = None
    try:
        while True:
            page = await client.conversations.get_teams_conversation_paged_members(
                channel, PAGE_SIZE, token
            )
            accounts = [_account(member) for member in page.members or []]
            found.update(person_key(a) for a in accounts if not is_bot_account(a))
            token = page.continuation_token
            if not token:
                return frozenset(found)
    except Exception as error:  # the connector refuses (403/404) where the bot is absent
        log.info("Teams channel %s: roster not readable (%s)", channel, error)
        return None


async def _import_channels(
    turn_context: TurnContext,
    activity: Json,
    services: Services,
    contacts: ContactBook,
    team: str,
    group: str | None,
) -> list[tuple[str, str, str]]:
    """Name the team's channels, so `stats #name` finds them (General is the team's own);
    return them as (id, name, type)."""
    client = turn_client(turn_context)
    channels = await asyncio.to_thread(_team_channels, client, turn_context, team)
    listed = [
        (str(c.id), str(c.name), str(getattr(c, "type", None) or "standard"))
        for c in channels
        if c.id and c.name and c.id != team
    ]
    named = [(channel, name) for channel, name, _ in listed]
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
    return listed


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
    return {"id": member.id or "", "aadObjectId": member.aad_object_id or ""}


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
