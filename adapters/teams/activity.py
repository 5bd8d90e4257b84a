"""Reading Teams activity JSON as received (no botbuilder objects, no message text kept)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from bot.commands.lookup import person_token
from bot.events import as_utc, utcnow

Json = dict[str, Any]
PLATFORM = "teams"
BOT_PREFIX = "28:"
TAG = re.compile(r"<[^>]+>")


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
