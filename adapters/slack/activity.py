"""Messages, reactions and membership -> neutral activity events (never any text).

A message is keyed `<channel>:<ts>` like the export importer's; a join or leave arrives
twice (a `member_joined_channel` event and a `channel_join` message), so both are keyed
`<channel>:joined:<user>:<second>`. Reactions use Slack's `event_id`.
"""

from __future__ import annotations

from adapters.slack.envelope import Envelope, Payload
from bot.events import (
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from bot.importers.slack_translate import moment

POSTS = {None, "file_share", "me_message", "thread_broadcast"}
JOINS, LEAVES = {"channel_join", "group_join"}, {"channel_leave", "group_leave"}
PRIVATE_CONVERSATIONS = ("im", "mpim")


def message(envelope: Envelope, event: Payload) -> list[Event]:
    subtype, channel, ts = event.get("subtype"), event.get("channel"), event.get("ts")
    user = envelope.person(event.get("user"))
    from_bot = bool(event.get("bot_id")) or subtype == "bot_message"
    if user is None or from_bot or not channel or not ts:
        return []
    if event.get("channel_type") in PRIVATE_CONVERSATIONS:
        return []
    if subtype in JOINS or subtype in LEAVES:
        return [_membership(envelope, user, channel, ts, joined=subtype in JOINS)]
    if subtype not in POSTS:
        return []
    thread_ts = event.get("thread_ts")
    return [
        MessagePosted(
            **envelope.common(f"{channel}:{ts}", moment(ts)),
            person=user,
            community=channel,
            thread_key=f"{channel}:{thread_ts or ts}",
            is_reply=subtype == "thread_broadcast" or thread_ts not in (None, ts),
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
