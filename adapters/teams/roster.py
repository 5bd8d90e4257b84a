"""Who is in each Teams team and channel: read when the bot joins a team or the team changes,
and again by the scheduled `roster` job (`TeamsRoster`, through the service URL the team's
install came from).

Members come from the connector's paged member list; the team's name and group id (for
deep links) from the activity, or from the team details when the activity lacks them.
Membership keys are stable per team and person, so installing twice counts nobody twice.
Each member's `email` (else `userPrincipalName`) is recorded as a keyed hash only, which
links them to their accounts on other platforms. The roster has no department: that
comes from the directory (`engage import directory`).

Then `bot.roster` reconciles the team and its channels: a standard channel's members are
the team's members; a private or shared channel (`type` "private"/"shared" in the
channel list) has its own roster, read where the bot is present (unknown otherwise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from botbuilder.core import TurnContext
from botframework.connector.teams import TeamsConnectorClient
from sqlalchemy import select
from sqlmodel import Session

from adapters.teams.contacts import ChannelHome, ContactBook, Fact, Reach, reference
from adapters.teams.gateway import bounded, connector_client, turn_client
from adapters.teams.ingest import (
    PLATFORM,
    Json,
    common,
    is_bot_account,
    occurred_at,
    person_key,
    team_id,
    tenant,
    text_field,
)
from bot.crypto import EmailHasher
from bot.events import CommunityRenamed, Event, MemberJoined, PersonSeen
from bot.roster import Reconciler, RosterCommunity, RosterReport, meta_key, save_meta
from bot.services import Services
from bot.storage.models import Meta
from bot.storage.tables import TEAMS_CHANNEL, WORKSPACE

log = logging.getLogger("engage.teams.roster")
PAGE_SIZE = 500
SERVICE_URL = "roster.service_url"
META_KEY_LENGTH = 64
OWN_ROSTER = ("private", "shared")


async def import_team(
    turn_context: TurnContext, activity: Json, services: Services, contacts: ContactBook
) -> int:
    """Record the team's name and every member; return how many members were seen."""
    team = team_id(activity)
    client = turn_client(turn_context)
    known = contacts.channels.get((tenant(activity), team))  # a team synced again
    name = text_field(activity, "channelData", "team", "name") or (known and known.name) or ""
    group = text_field(activity, "channelData", "team", "aadGroupId")
    group = group or (known and known.group_id) or ""
    if not name or not group:
        details = await asyncio.to_thread(
            _team_details, client, turn_context.activity.service_url, team
        )
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
    hasher = EmailHasher(services.settings.secret_key)
    async for members in _member_pages(client, team):
        await services.tracker.record(
            _joined(activity, team, members) + _identities(activity, members, hasher)
        )
        await contacts.remember(_reaches(activity, team, members))
        everyone.update(person_key(member) for member in members)
    service_url = str(activity.get("serviceUrl") or "")
    key = meta_key(SERVICE_URL, PLATFORM, tenant(activity))
    if service_url and len(key) <= META_KEY_LENGTH:
        await save_meta(services, key, service_url)  # for the scheduled sync
    await reconcile_team(
        services, client, tenant(activity), team, name, frozenset(everyone), channels
    )
    return len(everyone)


async def reconcile_team(
    services: Services,
    client: Any,
    workspace: str,
    team: str,
    name: str,
    everyone: frozenset[str],
    channels: list[tuple[str, str, str]],
) -> int:
    """Record how the team and its channels differ from what the tracker knows."""
    reconciler = Reconciler(services, PLATFORM, workspace)
    await reconciler.load()
    moment = services.clock()
    await reconciler.community(RosterCommunity(team, name, members=everyone), moment)
    for channel, channel_name, kind in channels:
        members_of = await _own_roster(client, channel) if kind in OWN_ROSTER else everyone
        community = RosterCommunity(
            channel, channel_name, is_private=kind == "private", members=members_of
        )
        await reconciler.community(community, moment)
    await reconciler.finish(moment)
    return reconciler.written


class TeamsRoster:
    """The scheduled sync of every team where the bot is installed, through the service
    URL its install came from."""

    platform = PLATFORM

    def __init__(self, services: Services, adapter: Any, app_id: str) -> None:
        self.services = services
        self.adapter = adapter
        self.app_id = app_id

    async def sync(self, workspace: str | None = None) -> RosterReport:
        report = RosterReport(PLATFORM)
        installed = await self.services.database.read(_installed_teams)
        for tenant_id in sorted({tenant_id for tenant_id, _, _ in installed}):
            if workspace and tenant_id != workspace:
                continue
            teams = [(team, name) for t, team, name in installed if t == tenant_id]
            report.add(await self._sync_tenant(tenant_id, teams))
        return report

    async def _sync_tenant(self, tenant_id: str, teams: list[tuple[str, str]]) -> RosterReport:
        report = RosterReport(PLATFORM, workspaces=1)
        key = meta_key(SERVICE_URL, PLATFORM, tenant_id)
        row = await self.services.database.read(lambda session: session.get(Meta, key))
        if row is None:
            report.complete = False
            report.problems.append(f"{tenant_id}: no service URL yet (install the bot again)")
            return report
        try:
            client = await connector_client(self.adapter, self.app_id, row.value)
            for team, name in teams:
                everyone = await _members(client, team)
                found = await asyncio.to_thread(_team_channels, client, row.value, team)
                channels = _listed(found, team)
                report.events += await reconcile_team(
                    self.services, client, tenant_id, team, name, everyone, channels
                )
                report.people += len(everyone)
                report.communities += 1 + len(channels)
        except Exception as error:  # the connector is down or refuses: the next run retries
            log.warning("Teams roster sync of %s stopped: %s", tenant_id, error)
            report.complete = False
            report.problems.append(f"{tenant_id}: {error}")
        return report


def install_roster(services: Services, adapter: Any, app_id: str) -> None:
    """Let the `roster` job sync Teams (once per services)."""
    if not any(source.platform == PLATFORM for source in services.roster_sources):
        services.roster_sources.append(TeamsRoster(services, adapter, app_id))


def _installed_teams(session: Session) -> list[tuple[str, str, str]]:
    """(tenant, team, name) of every team whose install was seen."""
    query = (
        select(WORKSPACE.c.external_id, TEAMS_CHANNEL.c.team_id, TEAMS_CHANNEL.c.name)
        .join(WORKSPACE, WORKSPACE.c.id == TEAMS_CHANNEL.c.workspace_id)
        .where(
            TEAMS_CHANNEL.c.channel_id == TEAMS_CHANNEL.c.team_id, WORKSPACE.c.platform == PLATFORM
        )
    )
    return [(row[0], row[1], row[2] or "") for row in session.connection().execute(query)]


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
    channels = await asyncio.to_thread(
        _team_channels, client, turn_context.activity.service_url, team
    )
    listed = _listed(channels, team)
    named = [(channel, name) for channel, name, _ in listed]
    events: list[Event] = [
        CommunityRenamed(
            **common(activity, f"channel-name:{channel}:{activity['id']}"),
            community=channel,
            name=name,
        )
        for channel, name in named
    ]
    await services.tracker.record(events)
    homes = [ChannelHome(tenant(activity), channel, team, group, name) for channel, name in named]
    await contacts.remember(homes)
    return listed


async def _member_pages(client: Any, conversation: str) -> AsyncIterator[list[Json]]:
    """The people of a team or channel (bots left out), one page of the connector's paged
    member list at a time."""
    token: str | None = None
    while True:
        page = await client.conversations.get_teams_conversation_paged_members(
            conversation, PAGE_SIZE, token
        )
        accounts = [_account(member) for member in page.members or []]
        yield [account for account in accounts if not is_bot_account(account)]
        token = page.continuation_token
        if not token:
            return


async def _members(client: Any, conversation: str) -> frozenset[str]:
    return frozenset(
        [
            person_key(member)
            async for page in _member_pages(client, conversation)
            for member in page
        ]
    )


async def _own_roster(client: Any, channel: str) -> frozenset[str] | None:
    """A private or shared channel's members, or None when the bot may not read them."""
    try:
        return await _members(client, channel)
    except Exception as error:  # the connector refuses (403/404) where the bot is absent
        log.info("Teams channel %s: roster not readable (%s)", channel, error)
        return None


def _account(member: Any) -> Json:
    return {
        "id": member.id or "",
        "aadObjectId": member.aad_object_id or "",
        "email": getattr(member, "email", None) or getattr(member, "user_principal_name", None),
    }


def _listed(channels: list[Any], team: str) -> list[tuple[str, str, str]]:
    return [
        (str(c.id), str(c.name), str(getattr(c, "type", None) or "standard"))
        for c in channels
        if c.id and c.name and c.id != team
    ]


def _teams_client(client: Any, service_url: str) -> Any:
    """botbuilder's Teams client is synchronous: only ever called on a worker thread."""
    teams = TeamsConnectorClient(client.config.credentials, service_url)
    return bounded(teams, client.config.connection.timeout)


def _team_details(client: Any, service_url: str, team: str) -> Any:
    return _teams_client(client, service_url).teams.get_team_details(team)


def _team_channels(client: Any, service_url: str, team: str) -> list[Any]:
    found = _teams_client(client, service_url).teams.get_teams_channels(team)
    return list(found.conversations or [])


def _team_named(activity: Json, team: str, name: str) -> list[Event]:
    if not name:
        return []
    return [
        CommunityRenamed(
            **common(activity, f"team-name:{team}:{activity['id']}"),
            community=team,
            name=name,
        )
    ]


def _joined(activity: Json, team: str, members: list[Json]) -> list[Event]:
    return [
        MemberJoined(
            **common(activity, f"roster:{team}:{person_key(member)}"),
            person=person_key(member),
            community=team,
        )
        for member in members
    ]


def _identities(activity: Json, members: list[Json], hasher: EmailHasher) -> list[Event]:
    """Each member's e-mail as a keyed hash (none without ENGAGE_SECRET_KEY)."""
    events: list[Event] = []
    for member in members:
        email_hash = hasher(member.get("email"))
        if email_hash:
            events.append(
                PersonSeen(
                    **common(activity, f"email:{person_key(member)}:{email_hash[:16]}"),
                    person=person_key(member),
                    email_hash=email_hash,
                )
            )
    return events


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
