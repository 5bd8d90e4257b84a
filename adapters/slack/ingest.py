"""Slack events in: every Events API request is translated into neutral events and
recorded before Slack gets its answer (over HTTP, `adapters.slack.app.FastLane` verifies
it first and records the plain ones itself). Metadata only: no text, file or attachment
ever leaves.

- `Ingest`, Bolt's first middleware (after signature verification, before authorization
  and any listener): the event is committed to the tracker's inbox before the 2xx
  leaves, whatever follows. A failed commit answers 500 and Slack retries; retries are
  duplicates by key. `LookUpPeople` then learns the locale and time zone of the people
  seen.
- `translate`: payload -> neutral events. `classify_message` is the one answer to "what
  is this message" (a post, a reply, a join or leave, a bot's, none of these), shared
  with the export importer (`adapters.slack.export`). Keys make Slack's retries harmless
  and match the export importer's where the fact is the same: a message is
  `<channel>:<ts>`, a channel's creation `<channel>:created`. A join or leave arrives
  twice (a `member_joined_channel` event and a `channel_join` message), so both are
  keyed `<channel>:joined:<user>:<second>`; reactions and the other channel events use
  Slack's `event_id`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.installs import Credentials
from adapters.slack.people import People
from bot.tracker import Tracker

if TYPE_CHECKING:  # the roster reads envelopes: a type-only import keeps the cycle out
    from adapters.slack.roster import RosterTriggers
from datetime import UTC, datetime, timedelta
from enum import Enum

from adapters.slack.installs import PLATFORM, Payload
from adapters.slack.people import person_seen
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
    malformed_field,
)

log = logging.getLogger("engage.slack.ingest")
Next = Callable[[], Awaitable[BoltResponse]]
PEOPLE_FIELDS = ("user", "item_user")

# What reading a field of the wrong type raises (`int("abc")`, `"C1".get`, `{}["id"]`…).
MISREAD = (AttributeError, KeyError, TypeError, ValueError, OverflowError)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment(ts: str | int) -> datetime:
    """A Slack timestamp ('1433558319.000002') as an exact UTC datetime."""
    seconds, _, fraction = str(ts).partition(".")
    return EPOCH + timedelta(seconds=int(seconds), microseconds=int(fraction[:6].ljust(6, "0")))


POSTS = frozenset({None, "file_share", "me_message"})
REPLIES = frozenset({"thread_broadcast", "reply_broadcast", "file_comment"})
JOINS = frozenset({"channel_join", "group_join"})
LEAVES = frozenset({"channel_leave", "group_leave"})
SLACKBOT = "USLACKBOT"


class MessageKind(Enum):
    """What a message is, for activity: the one answer for live events and exports."""

    POST = "post"
    """Posted by a person, in the channel or in a thread (see `is_reply`)."""
    JOINED = "joined"
    LEFT = "left"
    BOT = "bot"
    """Posted, joined or left by a bot (Slackbot included): never anyone's activity."""
    OTHER = "other"
    """An edit, a deletion, a topic change, a message without author…: no activity."""


def message_author(
    subtype: object, user: object, comment: Mapping[str, object] | None = None
) -> str | None:
    """Who wrote a message: its `user`, or for a `file_comment` (old exports; the Events
    API no longer sends them) its comment's."""
    author = comment.get("user") if subtype == "file_comment" and comment is not None else user
    return author if isinstance(author, str) and author else None


def classify_message(
    subtype: object, author: str | None, bot_id: object, bots: Collection[str | None]
) -> MessageKind:
    """A message's kind from its `subtype`, author and `bot_id`; `bots` are user ids known
    to be bots (the app's own bot user live, the export's bot users)."""
    counted = subtype in POSTS or subtype in REPLIES or subtype in JOINS or subtype in LEAVES
    if is_from_bot(subtype, author, bot_id, bots):
        return MessageKind.BOT if counted or subtype == "bot_message" else MessageKind.OTHER
    if author is None or not counted:
        return MessageKind.OTHER
    if subtype in JOINS:
        return MessageKind.JOINED
    if subtype in LEAVES:
        return MessageKind.LEFT
    return MessageKind.POST


def is_from_bot(
    subtype: object, author: str | None, bot_id: object, bots: Collection[str | None]
) -> bool:
    return bool(bot_id) or subtype == "bot_message" or author in bots or author == SLACKBOT


def is_reply(subtype: object, ts: object, thread_ts: object) -> bool:
    """A post in a thread (not its root), or broadcast from one to the channel."""
    return subtype in REPLIES or thread_ts not in (None, ts)


class Envelope:
    """The parts of an `event_callback` every translator needs."""

    def __init__(self, body: Payload) -> None:
        self.event: Payload = body.get("event") or {}
        self.workspace: str = body.get("team_id") or self.event.get("team") or ""
        self.event_id: str = body.get("event_id") or ""
        self.event_time: int = int(body.get("event_time") or 0)
        self.bot_users = {
            auth.get("user_id") for auth in body.get("authorizations") or () if auth.get("is_bot")
        }

    def when(self, ts: str | None = None) -> datetime:
        stamp = ts or self.event.get("event_ts")
        if stamp:
            return moment(stamp)
        return datetime.fromtimestamp(self.event_time, UTC)

    def common(self, key: str, when: datetime) -> dict[str, Any]:
        return {"platform": PLATFORM, "workspace": self.workspace, "key": key, "occurred_at": when}

    def person(self, user: object) -> str | None:
        """The user id when it names a person, None when absent or the app's own bot user."""
        if not isinstance(user, str) or not user or user in self.bot_users:
            return None
        return user


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


PRIVATE_CONVERSATIONS = ("im", "mpim")


def message(envelope: Envelope, event: Payload) -> list[Event]:
    subtype, channel, ts = event.get("subtype"), event.get("channel"), event.get("ts")
    if not channel or not ts or event.get("channel_type") in PRIVATE_CONVERSATIONS:
        return []
    comment = event.get("comment")
    author = message_author(
        subtype, event.get("user"), comment if isinstance(comment, Mapping) else None
    )
    kind = classify_message(subtype, author, event.get("bot_id"), envelope.bot_users)
    if author is None or kind in (MessageKind.BOT, MessageKind.OTHER):
        return []
    if kind is not MessageKind.POST:
        return [_membership(envelope, author, channel, ts, joined=kind is MessageKind.JOINED)]
    thread_ts = event.get("thread_ts")
    return [
        MessagePosted(
            **envelope.common(f"{channel}:{ts}", moment(ts)),
            person=author,
            community=channel,
            thread_key=f"{channel}:{thread_ts or ts}",
            is_reply=is_reply(subtype, ts, thread_ts),
        )
    ]


def _membership(envelope: Envelope, user: str, channel: str, ts: str, *, joined: bool) -> Event:
    when = moment(ts)
    kind = MemberJoined if joined else MemberLeft
    key = f"{channel}:{'joined' if joined else 'left'}:{user}:{int(when.timestamp())}"
    return kind(**envelope.common(key, when), person=user, community=channel)


def member_event(envelope: Envelope, event: Payload, *, joined: bool) -> list[Event]:
    user, channel = envelope.person(event.get("user")), event.get("channel")
    if user is None or not channel:
        return []
    ts = event.get("event_ts") or str(envelope.event_time)
    return [_membership(envelope, user, channel, ts, joined=joined)]


def reaction(envelope: Envelope, event: Payload, *, added: bool) -> list[Event]:
    item = event.get("item") or {}
    user, channel = envelope.person(event.get("user")), item.get("channel")
    if item.get("type") != "message" or user is None or not channel:
        return []
    if channel.startswith("D"):
        return []
    kind = ReactionAdded if added else ReactionRemoved
    return [
        kind(
            **envelope.common(envelope.event_id, envelope.when()),
            person=user,
            community=channel,
            receiver=event.get("item_user") or None,
            thread_key=f"{channel}:{item.get('ts')}",
        )
    ]


def profile_event(envelope: Envelope, event: Payload) -> list[Event]:
    user = event.get("user")
    if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
        return []
    return [person_seen(envelope.workspace, user, envelope.when())]


def home_opened(envelope: Envelope, event: Payload) -> list[Event]:
    user = envelope.person(event.get("user"))
    if user is None:
        return []
    return [PersonSeen(**envelope.common(envelope.event_id, envelope.when()), person=user)]


def channel_created(envelope: Envelope, event: Payload) -> list[Event]:
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


def channel_renamed(envelope: Envelope, event: Payload) -> list[Event]:
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


def channel_flag(
    kind: type[CommunityArchived | CommunityUnarchived | CommunityDeleted],
) -> Callable[[Envelope, Payload], list[Event]]:
    def translate_flag(envelope: Envelope, event: Payload) -> list[Event]:
        channel = event.get("channel")
        if not isinstance(channel, str) or not channel:
            return []
        return [kind(**envelope.common(envelope.event_id, envelope.when()), community=channel)]

    return translate_flag


def _nothing(_envelope: Envelope, _event: Payload) -> list[Event]:
    return []


def _on_event(
    translator: Callable[..., list[Event]], **options: bool
) -> Callable[[Envelope], list[Event]]:
    return lambda envelope: translator(envelope, envelope.event, **options)


TRANSLATORS: dict[str, Callable[[Envelope], list[Event]]] = {
    "message": _on_event(message),
    "reaction_added": _on_event(reaction, added=True),
    "reaction_removed": _on_event(reaction, added=False),
    "member_joined_channel": _on_event(member_event, joined=True),
    "member_left_channel": _on_event(member_event, joined=False),
    "channel_created": _on_event(channel_created),
    "channel_rename": _on_event(channel_renamed),
    "channel_archive": _on_event(channel_flag(CommunityArchived)),
    "channel_unarchive": _on_event(channel_flag(CommunityUnarchived)),
    "channel_deleted": _on_event(channel_flag(CommunityDeleted)),
    "team_join": _on_event(profile_event),
    "user_change": _on_event(profile_event),
    "app_home_opened": _on_event(home_opened),
    "app_uninstalled": _on_event(_nothing),
    "tokens_revoked": _on_event(_nothing),
}


def _event(body: Mapping[str, Any]) -> Mapping[str, Any]:
    if body.get("type") != "event_callback":
        return {}
    event = body.get("event")
    return event if isinstance(event, Mapping) else {}


class Ingest(AsyncMiddleware):
    def __init__(
        self, tracker: Tracker, credentials: Credentials, triggers: RosterTriggers | None = None
    ) -> None:
        self._tracker = tracker
        self._credentials = credentials
        self._triggers = triggers

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        try:
            events = translate(req.body)
        except UnusableEventError as exc:  # over HTTP, `FastLane` answered it before Bolt
            log.warning("Slack event not usable: %s", exc)
            return BoltResponse(status=200, body="")
        if events:
            await self._tracker.record(events)
        if self._triggers is not None:
            self._triggers.seen(req.body)
        kind = _event(req.body).get("type")
        if kind == "app_uninstalled" or (kind == "tokens_revoked" and _bot_tokens_revoked(req)):
            await self._credentials.disable(req.context.enterprise_id, req.context.team_id)
        return await next()


def _bot_tokens_revoked(req: AsyncBoltRequest) -> bool:
    tokens = _event(req.body).get("tokens")
    return isinstance(tokens, Mapping) and bool(tokens.get("bot"))


class LookUpPeople(AsyncMiddleware):
    """After authorization: learn the locale and time zone of people seen in events."""

    def __init__(self, people: People) -> None:
        self._people = people

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        event = _event(req.body)
        workspace = req.context.team_id
        if event and workspace:
            user = event.get("user")
            if isinstance(user, Mapping):
                self._people.remember(workspace, user, req.context.client)
            else:
                bots = {req.context.bot_user_id, None, ""}
                people = {event.get(field) for field in PEOPLE_FIELDS} - bots
                self._people.look_up_later(req.context.client, workspace, sorted(map(str, people)))
        return await next()
