"""Events API payloads -> neutral events. Metadata only: no text, file or attachment ever leaves.

Keys make Slack's retries harmless and match the export importer where the fact is the
same (see `activity`, `channels`, `profiles`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.slack import activity, channels, profiles
from adapters.slack.envelope import Envelope, Payload
from bot.events import (
    CommunityArchived,
    CommunityDeleted,
    CommunityUnarchived,
    Event,
    malformed_field,
)

# What reading a field of the wrong type raises (`int("abc")`, `"C1".get`, `{}["id"]`…).
MISREAD = (AttributeError, KeyError, TypeError, ValueError, OverflowError)


class UnusableEventError(ValueError):
    """An `event_callback` that cannot be read as it stands: retrying it would not help."""


def translate(body: Payload) -> list[Event]:
    """The neutral events in one Events API request body (none for other requests);
    UnusableEventError when a field it needs has the wrong type or an id is empty."""
    if body.get("type") != "event_callback":
        return []
    try:
        envelope = Envelope(body)
        _check_people(envelope.event)
        kind = envelope.event.get("type")
        translator = TRANSLATORS.get(kind) if isinstance(kind, str) else None
        if translator is None or not envelope.workspace:
            return []
        events = translator(envelope)
    except MISREAD as exc:
        raise UnusableEventError(f"{type(exc).__name__} reading the event") from None
    for event in events:
        if (name := malformed_field(event)) is not None:
            raise UnusableEventError(f"{event.kind}.{name} is missing or mistyped")
    return events


def _check_people(event: Payload) -> None:
    """Any event's people, as Bolt's middleware reads them: ids, or a profile with an id."""
    user = event.get("user")
    if isinstance(user, Mapping):
        user = user.get("id")
    for person in (user, event.get("item_user")):
        if person is not None and not isinstance(person, str):
            raise TypeError("a person that is not an id")


def _nothing(_envelope: Envelope, _event: Payload) -> list[Event]:
    return []


def _on_event(
    translator: Callable[..., list[Event]], **options: bool
) -> Callable[[Envelope], list[Event]]:
    return lambda envelope: translator(envelope, envelope.event, **options)


TRANSLATORS: dict[str, Callable[[Envelope], list[Event]]] = {
    "message": _on_event(activity.message),
    "reaction_added": _on_event(activity.reaction, added=True),
    "reaction_removed": _on_event(activity.reaction, added=False),
    "member_joined_channel": _on_event(activity.member_event, joined=True),
    "member_left_channel": _on_event(activity.member_event, joined=False),
    "channel_created": _on_event(channels.created),
    "channel_rename": _on_event(channels.renamed),
    "channel_archive": _on_event(channels.flag(CommunityArchived)),
    "channel_unarchive": _on_event(channels.flag(CommunityUnarchived)),
    "channel_deleted": _on_event(channels.flag(CommunityDeleted)),
    "team_join": _on_event(profiles.profile_event),
    "user_change": _on_event(profiles.profile_event),
    "app_home_opened": _on_event(profiles.home_opened),
    "app_uninstalled": _on_event(_nothing),
    "tokens_revoked": _on_event(_nothing),
}
HANDLED_EVENTS: tuple[str, ...] = tuple(TRANSLATORS)
