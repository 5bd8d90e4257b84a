"""Channel lifecycle events -> community events. A creation is keyed `<channel>:created`,
like the export importer's; the others by Slack's `event_id`."""

from __future__ import annotations

from collections.abc import Callable

from adapters.slack.envelope import Envelope, Payload
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityDeleted,
    CommunityRenamed,
    CommunityUnarchived,
    Event,
)
from bot.importers.slack_translate import moment


def created(envelope: Envelope, event: Payload) -> list[Event]:
    channel = event.get("channel") or {}
    if not channel.get("id"):
        return []
    created = channel.get("created")
    return [
        CommunityCreated(
            **envelope.common(
                f"{channel['id']}:created", moment(created) if created else envelope.when()
            ),
            community=channel["id"],
            name=channel.get("name") or "",
            is_private=bool(channel.get("is_private")),
            creator=channel.get("creator") or None,
        )
    ]


def renamed(envelope: Envelope, event: Payload) -> list[Event]:
    channel = event.get("channel") or {}
    if not channel.get("id"):
        return []
    return [
        CommunityRenamed(
            **envelope.common(envelope.event_id, envelope.when()),
            community=channel["id"],
            name=channel.get("name") or "",
        )
    ]


def flag(
    kind: type[CommunityArchived | CommunityUnarchived | CommunityDeleted],
) -> Callable[[Envelope, Payload], list[Event]]:
    def translate_flag(envelope: Envelope, event: Payload) -> list[Event]:
        channel = event.get("channel")
        if not isinstance(channel, str) or not channel:
            return []
        return [kind(**envelope.common(envelope.event_id, envelope.when()), community=channel)]

    return translate_flag
