"""Neutral activity events: what every adapter translates platform payloads into.

Metadata only: who, where, when, what kind. No event type has a field for message text,
file names or any other content, so an adapter has nowhere to put it.

Time in one convention too: timezone-aware datetimes in UTC (`utcnow`, `as_utc`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import ClassVar


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Common to every event. `key` is unique per (platform, workspace) for one fact."""

    kind: ClassVar[str] = "event"
    platform: str
    workspace: str
    key: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(Event):
    kind: ClassVar[str] = "message"
    person: str
    community: str
    thread_key: str | None = None
    is_reply: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionAdded(Event):
    kind: ClassVar[str] = "reaction_added"
    person: str
    community: str
    receiver: str | None = None
    thread_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionRemoved(Event):
    kind: ClassVar[str] = "reaction_removed"
    person: str
    community: str
    receiver: str | None = None
    thread_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(Event):
    """`source` says who told: None for the person's own join, "roster" for a roster sync."""

    kind: ClassVar[str] = "member_joined"
    person: str
    community: str
    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(Event):
    kind: ClassVar[str] = "member_left"
    person: str
    community: str
    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityCreated(Event):
    kind: ClassVar[str] = "community_created"
    community: str
    name: str
    is_private: bool = False
    creator: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityRenamed(Event):
    kind: ClassVar[str] = "community_renamed"
    community: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityArchived(Event):
    kind: ClassVar[str] = "community_archived"
    community: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityUnarchived(Event):
    kind: ClassVar[str] = "community_unarchived"
    community: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityDeleted(Event):
    kind: ClassVar[str] = "community_deleted"
    community: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonSeen(Event):
    """A person appeared or changed (profile fields only; None means unknown/unchanged)."""

    kind: ClassVar[str] = "person_seen"
    person: str
    display_name: str | None = None
    locale: str | None = None
    tz: str | None = None
    department: str | None = None
    is_bot: bool = False
    deleted: bool = False
    email_hash: str | None = None
    """The e-mail as a keyed hash (`bot.crypto.EmailHasher`), never the address itself."""


ALL_EVENTS: tuple[type[Event], ...] = (
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    MemberJoined,
    MemberLeft,
    CommunityCreated,
    CommunityRenamed,
    CommunityArchived,
    CommunityUnarchived,
    CommunityDeleted,
    PersonSeen,
)
EVENT_BY_KIND: dict[str, type[Event]] = {event.kind: event for event in ALL_EVENTS}


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str, type(None)),
    "bool": (bool,),
    "datetime": (datetime,),
}
_IDENTIFIERS = ("workspace", "key", "person", "community")
LONGEST_IDENTIFIER = {"workspace": 64, "person": 128, "community": 128, "receiver": 128}
"""What the inbox's columns store whole (PostgreSQL's casts would cut a longer id, so that
two people could become one); longer keys are hashed when stored instead."""


def malformed_field(event: Event) -> str | None:
    """The first field whose value is not of its declared type, or an empty or over-long
    identifier (an adapter refuses such an event: it would make a nameless person or
    community, or merge two)."""
    for item in fields(event):
        value = getattr(event, item.name)
        if not isinstance(value, _TYPES[str(item.type)]):
            return item.name
        if item.name in _IDENTIFIERS and not value:
            return item.name
        if isinstance(value, str) and len(value) > LONGEST_IDENTIFIER.get(item.name, len(value)):
            return item.name
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC; convert an aware one to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
