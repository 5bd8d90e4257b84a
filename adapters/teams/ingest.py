"""Teams activities -> neutral events, read from the activity JSON as received (no botbuilder
objects). Metadata only: never message text, never attachment names.

`events_from` is the entry point. Every event key carries the activity id, so a redelivered
activity adds nothing; the one exception is the sender's profile (`PersonSeen`), keyed by its
content and day so a busy channel does not add a profile row per message. Team-wide changes
(conversationUpdate, installationUpdate) act on the team's General channel, whose id is the
team's; team membership is membership of that community.

Then what the rest of the adapter asks of an activity: was the bot installed or removed, did
the team's roster change, the words typed to the bot, a click's data, and the field readers
(tenant, team, channel, sender) everything else builds on.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypedDict

from bot.commands.lookup import person_token
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityDeleted,
    CommunityRenamed,
    CommunityUnarchived,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    ReactionRemoved,
    as_utc,
    malformed_field,
    utcnow,
)

Json = dict[str, Any]
PLATFORM = "teams"
BOT_PREFIX = "28:"
TAG = re.compile(r"<[^>]+>")


class UnusableActivityError(ValueError):
    """An authentic activity Engage cannot use: `no_sender` or `malformed` (its `reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def events_from(activity: Json) -> list[Event]:
    """The neutral events one activity stands for (empty for kinds Engage does not track).
    Every kind it tracks has an id and names its sender: else UnusableActivityError."""
    translate = TRANSLATORS.get(text_field(activity, "type"))
    if translate is None:
        return []
    sender = activity.get("from")
    if not person_key(sender):
        raise UnusableActivityError("no_sender")
    if not text_field(activity, "id"):  # what makes a redelivery harmless
        raise UnusableActivityError("malformed")
    if not tenant(activity):
        return []
    events = translate(activity)
    if not is_bot_account(sender):
        events.append(_person_seen(activity, primary=not events))
    if any(malformed_field(event) is not None for event in events):
        raise UnusableActivityError("malformed")
    return events


class Common(TypedDict):
    platform: str
    workspace: str
    key: str
    occurred_at: datetime


def common(activity: Json, key: str) -> Common:
    return Common(
        platform=PLATFORM, workspace=tenant(activity), key=key, occurred_at=occurred_at(activity)
    )


def _person_seen(activity: Json, *, primary: bool) -> PersonSeen:
    """Primary when nothing else records the activity (commands, clicks, installs)."""
    sender = activity["from"]
    person = person_key(sender)
    locale = text_field(activity, "locale") or None
    tz = text_field(activity, "localTimezone") or None
    name = text_field(sender, "name") or None
    if primary:  # message ids are unique per conversation only
        where = hashlib.sha1(text_field(activity, "conversation", "id").encode()).hexdigest()[:16]
        key = f"seen:{where}:{activity['id']}"
    else:
        digest = hashlib.sha1(f"{locale}|{tz}|{name}".encode()).hexdigest()[:12]
        key = f"seen:{person}:{digest}:{occurred_at(activity).date().isoformat()}"
    return PersonSeen(
        **common(activity, key),
        person=person,
        display_name=name,
        locale=locale,
        tz=tz,
    )


def _message(activity: Json) -> list[Event]:
    channel = channel_id(activity)
    if is_personal(activity) or not channel or is_bot_account(activity.get("from")):
        return []
    message = text_field(activity, "id")
    root = root_message_id(activity)
    is_reply = bool(root) and root != message
    return [
        MessagePosted(
            **common(activity, f"msg:{channel}:{message}"),
            person=person_key(activity.get("from")),
            community=channel,
            thread_key=f"{channel}:{root}" if is_reply else None,
            is_reply=is_reply,
        )
    ]


def _reactions(activity: Json) -> list[Event]:
    channel = channel_id(activity)
    if is_personal(activity) or not channel:
        return []
    person = person_key(activity.get("from"))
    root = root_message_id(activity)
    thread = f"{channel}:{root}" if root else None
    events: list[Event] = []
    for index, reaction in enumerate(objects(activity, "reactionsAdded")):
        key = f"react:{channel}:{activity['id']}:{index}:{text_field(reaction, 'type')}:+"
        shared = common(activity, key)
        events.append(ReactionAdded(**shared, person=person, community=channel, thread_key=thread))
    for index, reaction in enumerate(objects(activity, "reactionsRemoved")):
        key = f"react:{channel}:{activity['id']}:{index}:{text_field(reaction, 'type')}:-"
        shared = common(activity, key)
        events.append(
            ReactionRemoved(**shared, person=person, community=channel, thread_key=thread)
        )
    return events


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
            shared = common(activity, f"member:{team}:{activity['id']}:{person}:+")
            events.append(MemberJoined(**shared, person=person, community=team))
    for member in removed_members(activity):
        if not is_bot_account(member):
            person = person_key(member)
            shared = common(activity, f"member:{team}:{activity['id']}:{person}:-")
            events.append(MemberLeft(**shared, person=person, community=team))
    return events


def _channel_event(activity: Json) -> list[Event]:
    event_type = text_field(activity, "channelData", "eventType")
    channel = text_field(activity, "channelData", "channel", "id")
    if not channel:
        return []
    name = text_field(activity, "channelData", "channel", "name")
    shared = common(activity, f"{event_type}:{channel}:{activity['id']}")
    if event_type == "channelCreated":
        return [CommunityCreated(**shared, community=channel, name=name)]
    if event_type == "channelRenamed":
        return [CommunityRenamed(**shared, community=channel, name=name)]
    if event_type == "channelDeleted":
        return [CommunityDeleted(**shared, community=channel)]
    return [CommunityUnarchived(**shared, community=channel)]


def _team_event(activity: Json) -> list[Event]:
    """Team-wide events act on the team's General channel, whose id is the team's."""
    event_type = text_field(activity, "channelData", "eventType")
    team = team_id(activity)
    name = text_field(activity, "channelData", "team", "name")
    shared = common(activity, f"{event_type}:{team}:{activity['id']}")
    if event_type == "teamRenamed":
        return [CommunityRenamed(**shared, community=team, name=name)] if name else []
    if event_type == "teamArchived":
        return [CommunityArchived(**shared, community=team)]
    if event_type in ("teamUnarchived", "teamRestored"):
        return [CommunityUnarchived(**shared, community=team)]
    return [CommunityDeleted(**shared, community=team)]


def installation_update(activity: Json) -> list[Event]:
    """A team install names the team; who installed is recorded as the activity's sender."""
    team = team_id(activity)
    name = text_field(activity, "channelData", "team", "name")
    action = text_field(activity, "action")
    if not team or not name or not action.startswith("add"):
        return []
    key = f"install:{team}:{activity['id']}"
    return [CommunityRenamed(**common(activity, key), community=team, name=name)]


Translate = Callable[[Json], list[Event]]

TRANSLATORS: dict[str, Translate] = {
    "message": _message,
    "messageReaction": _reactions,
    "conversationUpdate": conversation_update,
    "installationUpdate": installation_update,
    "invoke": lambda _activity: [],
}

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


def is_bot_installed(activity: Json) -> bool:
    """The bot was just added to a team or a personal scope."""
    if activity.get("type") == "installationUpdate":
        return text_field(activity, "action").startswith("add")
    return activity.get("type") == "conversationUpdate" and bot_is_among(
        added_members(activity), activity
    )


def is_bot_removed(activity: Json) -> bool:
    if activity.get("type") == "installationUpdate":
        return text_field(activity, "action").startswith("remove")
    return activity.get("type") == "conversationUpdate" and bot_is_among(
        removed_members(activity), activity
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


ROSTER_EVENTS = frozenset(
    {"channelCreated", "channelRenamed", "channelRestored", "teamMemberAdded", "teamMemberRemoved"}
)


def mentions_recipient(activity: Json) -> bool:
    bot = text_field(activity, "recipient", "id")
    return any(
        text_field(entity, "type") == "mention" and text_field(entity, "mentioned", "id") == bot
        for entity in objects(activity, "entities")
    )


def command_text(activity: Json) -> str:
    """The words typed to the bot: its own @mention removed, channel mentions as channel ids,
    people's mentions as the core's person token."""
    text = text_field(activity, "text")
    bot = text_field(activity, "recipient", "id")
    people: list[str] = []
    for entity in objects(activity, "entities"):
        if text_field(entity, "type") != "mention" or not text_field(entity, "text"):
            continue
        mentioned = text_field(entity, "mentioned", "id")
        if mentioned == bot:
            replacement = ""
        elif mentioned.startswith("19:"):
            replacement = mentioned
        else:
            account = field(entity, "mentioned")
            people.append(
                person_token(person_key(account), text_field(entity, "mentioned", "name"))
            )
            replacement = f"\x00{len(people) - 1}\x00"
        text = text.replace(text_field(entity, "text"), f" {replacement} ")
    words = html.unescape(TAG.sub(" ", text))
    for number, token in enumerate(people):
        words = words.replace(f"\x00{number}\x00", token)
    return " ".join(words.split())


def submitted_action(activity: Json) -> Json | None:
    """The data of an Action.Submit (message `value`) or Action.Execute (invoke) click."""
    if activity.get("type") == "invoke":
        data = field(activity, "value", "action", "data")
    else:
        data = activity.get("value")
    return data if isinstance(data, dict) else None


def field(data: Any, *path: str) -> Any:
    """`field(activity, "channelData", "team", "id")`, or None when any step is missing."""
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def text_field(data: Any, *path: str) -> str:
    value = field(data, *path)
    return value if isinstance(value, str) else ""


def person_key(account: Any) -> str:
    """People are known by their Entra object id when Teams gives it, else their Teams id."""
    return text_field(account, "aadObjectId") or text_field(account, "id")


def is_bot_account(account: Any) -> bool:
    return text_field(account, "id").startswith(BOT_PREFIX)


def tenant(activity: Json) -> str:
    return (
        text_field(activity, "channelData", "tenant", "id")
        or text_field(activity, "conversation", "tenantId")
        or text_field(activity, "conversation", "tenantID")
    )


def conversation_type(activity: Json) -> str:
    return text_field(activity, "conversation", "conversationType") or "personal"


def is_personal(activity: Json) -> bool:
    return conversation_type(activity) == "personal"


def team_id(activity: Json) -> str:
    return text_field(activity, "channelData", "team", "id")


def channel_id(activity: Json) -> str:
    """The channel a channel activity happened in (the General channel's id is the team's)."""
    explicit = text_field(activity, "channelData", "channel", "id")
    if explicit or conversation_type(activity) != "channel":
        return explicit
    return text_field(activity, "conversation", "id").split(";", 1)[0]


def root_message_id(activity: Json) -> str:
    """The thread's first message, from `…;messageid=ROOT` or `replyToId`."""
    _, _, marker = text_field(activity, "conversation", "id").partition(";messageid=")
    return marker or text_field(activity, "replyToId")


def occurred_at(activity: Json) -> datetime:
    stamp = text_field(activity, "timestamp")
    try:
        return as_utc(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # not ISO 8601, or out of range once in UTC
        return utcnow()


def objects(activity: Json, name: str) -> list[Json]:
    """The objects of a list field (`entities`, `membersAdded`…); none when it is no list."""
    items = activity.get(name)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def added_members(activity: Json) -> list[Json]:
    return objects(activity, "membersAdded")


def removed_members(activity: Json) -> list[Json]:
    return objects(activity, "membersRemoved")


def bot_is_among(members: list[Json], activity: Json) -> bool:
    bot = text_field(activity, "recipient", "id")
    return any(text_field(member, "id") == bot for member in members)
