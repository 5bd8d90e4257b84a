"""Teams activities -> neutral events. Metadata only: never text, never attachment names.

Every event key carries the activity id, so a redelivered activity adds nothing; the one
exception is the sender's profile (`PersonSeen`), keyed by its content and day so a busy
channel does not add a profile row per message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from adapters.teams.activity import (
    Json,
    channel_id,
    is_bot_account,
    is_personal,
    objects,
    occurred_at,
    person_key,
    root_message_id,
    tenant,
    text_field,
)
from adapters.teams.event_keys import common
from adapters.teams.ingest_updates import (
    conversation_update,
    installation_update,
    is_bot_installed,
    is_bot_removed,
)
from bot.events import (
    Event,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    ReactionRemoved,
    malformed_field,
)


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


Translate = Callable[[Json], list[Event]]
TRANSLATORS: dict[str, Translate] = {
    "message": _message,
    "messageReaction": _reactions,
    "conversationUpdate": conversation_update,
    "installationUpdate": installation_update,
    "invoke": lambda _activity: [],
}

__all__ = ["UnusableActivityError", "events_from", "is_bot_installed", "is_bot_removed"]
