"""Team and channel changes (conversationUpdate, installationUpdate) -> neutral events.

Team-wide changes act on the team's General channel, whose id is the team's; team
membership is membership of that community.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.teams.activity import (
    Json,
    added_members,
    bot_is_among,
    is_bot_account,
    person_key,
    removed_members,
    team_id,
    text_field,
)
from adapters.teams.event_keys import common as _common
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityDeleted,
    CommunityRenamed,
    CommunityUnarchived,
    Event,
    MemberJoined,
    MemberLeft,
)

Translate = Callable[[Json], list[Event]]


def conversation_update(activity: Json) -> list[Event]:
    event_type = text_field(activity, "channelData", "eventType")
    team = team_id(activity)
    if not team:
        return []
    handler = CHANNEL_EVENTS.get(event_type) or TEAM_EVENTS.get(event_type)
    events = handler(activity) if handler else []
    return events + _membership(activity, team)


def _membership(activity: Json, team: str) -> list[Event]:
    events: list[Event] = []
    for member in added_members(activity):
        if not is_bot_account(member):
            person = person_key(member)
            common = _common(activity, f"member:{team}:{activity['id']}:{person}:+")
            events.append(MemberJoined(**common, person=person, community=team))
    for member in removed_members(activity):
        if not is_bot_account(member):
            person = person_key(member)
            common = _common(activity, f"member:{team}:{activity['id']}:{person}:-")
            events.append(MemberLeft(**common, person=person, community=team))
    return events


def _channel_event(activity: Json) -> list[Event]:
    event_type = text_field(activity, "channelData", "eventType")
    channel = text_field(activity, "channelData", "channel", "id")
    if not channel:
        return []
    name = text_field(activity, "channelData", "channel", "name")
    common = _common(activity, f"{event_type}:{channel}:{activity['id']}")
    if event_type == "channelCreated":
        return [CommunityCreated(**common, community=channel, name=name)]
    if event_type == "channelRenamed":
        return [CommunityRenamed(**common, community=channel, name=name)]
    if event_type == "channelDeleted":
        return [CommunityDeleted(**common, community=channel)]
    return [CommunityUnarchived(**common, community=channel)]


def _team_event(activity: Json) -> list[Event]:
    """Team-wide events act on the team's General channel, whose id is the team's."""
    event_type = text_field(activity, "channelData", "eventType")
    team = team_id(activity)
    name = text_field(activity, "channelData", "team", "name")
    common = _common(activity, f"{event_type}:{team}:{activity['id']}")
    if event_type == "teamRenamed":
        return [CommunityRenamed(**common, community=team, name=name)] if name else []
    if event_type == "teamArchived":
        return [CommunityArchived(**common, community=team)]
    if event_type in ("teamUnarchived", "teamRestored"):
        return [CommunityUnarchived(**common, community=team)]
    return [CommunityDeleted(**common, community=team)]


def installation_update(activity: Json) -> list[Event]:
    """A team install names the team; who installed is recorded as the activity's sender."""
    team = team_id(activity)
    name = text_field(activity, "channelData", "team", "name")
    action = text_field(activity, "action")
    if not team or not name or not action.startswith("add"):
        return []
    key = f"install:{team}:{activity['id']}"
    return [CommunityRenamed(**_common(activity, key), community=team, name=name)]


def is_bot_installed(activity: Json) -> bool:
    """The bot was just added to a team or a personal scope."""
    if activity.get("type") == "installationUpdate":
        return text_field(activity, "action").startswith("add")
    return activity.get("type") == "conversationUpdate" and bot_is_among(
        added_members(activity), activity
    )


def team_roster_changed(activity: Json) -> bool:
    """Members added or removed, or a channel created, renamed or restored, in a team where
    the bot stays: the team's roster is synced again (beside the request)."""
    if activity.get("type") != "conversationUpdate" or not team_id(activity):
        return False
    if is_bot_removed(activity):
        return False
    event_type = text_field(activity, "channelData", "eventType")
    changed = event_type in ROSTER_EVENTS
    return changed or bool(added_members(activity) or removed_members(activity))


def is_bot_removed(activity: Json) -> bool:
    if activity.get("type") == "installationUpdate":
        return text_field(activity, "action").startswith("remove")
    return activity.get("type") == "conversationUpdate" and bot_is_among(
        removed_members(activity), activity
    )


CHANNEL_EVENTS: dict[str, Translate] = {
    name: _channel_event
    for name in ("channelCreated", "channelRenamed", "channelDeleted", "channelRestored")
}
TEAM_EVENTS: dict[str, Translate] = {
    name: _team_event
    for name in (
        "teamRenamed",
        "teamArchived",
        "teamUnarchived",
        "teamRestored",
        "teamDeleted",
        "teamHardDeleted",
    )
}
ROSTER_EVENTS = frozenset(
    {"channelCreated", "channelRenamed", "channelRestored", "teamMemberAdded", "teamMemberRemoved"}
)
