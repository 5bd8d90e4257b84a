"""Slack export records -> neutral events. Metadata only: who, where, when, what kind.

Event keys are deterministic (`<channel>:<ts>` for a message, `…:reaction:<name>:<user>`
for a reaction), so importing the same history twice records each fact once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, TypedDict

from bot.events import (
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
)
from bot.importers.slack_schema import SlackMessage

PLATFORM = "slack"
POSTS = {None, "file_share", "me_message"}
REPLIES = {"thread_broadcast", "reply_broadcast", "file_comment"}
JOINS, LEAVES = {"channel_join", "group_join"}, {"channel_leave", "group_leave"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Signal = Literal["joined", "left", "posted"]


def moment(ts: str | int) -> datetime:
    """A Slack timestamp ('1433558319.000002') as an exact UTC datetime."""
    seconds, _, fraction = str(ts).partition(".")
    return EPOCH + timedelta(seconds=int(seconds), microseconds=int(fraction[:6].ljust(6, "0")))


@dataclass
class DayEvents:
    """One day file of one channel, translated, with who was seen there (for memberships)."""

    events: list[Event] = field(default_factory=list)
    presence: list[tuple[datetime, str, Signal]] = field(default_factory=list)
    bot_messages: int = 0
    other_messages: int = 0
    moments: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class DayTranslator:
    workspace: str
    channel: str
    bots: frozenset[str]

    def translate(self, messages: Iterable[SlackMessage]) -> DayEvents:
        day = DayEvents()
        for message in messages:
            when = moment(message.ts)
            day.moments.append(when)
            author = message.user
            if message.subtype == "file_comment" and message.comment is not None:
                author = message.comment.user
            from_bot = (
                bool(message.bot_id) or message.subtype == "bot_message" or author in self.bots
            )
            self._message(day, message, when, author, from_bot)
            self._reactions(day, message, when, None if from_bot else author)
        return day

    def _message(
        self,
        day: DayEvents,
        message: SlackMessage,
        when: datetime,
        author: str | None,
        from_bot: bool,
    ) -> None:
        subtype = message.subtype
        counted = subtype in POSTS or subtype in REPLIES or subtype in JOINS or subtype in LEAVES
        if from_bot and (counted or subtype == "bot_message"):
            day.bot_messages += 1
            return
        if author is None or not counted:
            day.other_messages += 1
            return
        key = f"{self.channel}:{message.ts}"
        if subtype in JOINS or subtype in LEAVES:
            joined = subtype in JOINS
            kind = MemberJoined if joined else MemberLeft
            day.events.append(
                kind(**self._common(key, when), person=author, community=self.channel)
            )
            day.presence.append((when, author, "joined" if joined else "left"))
            return
        reply = subtype in REPLIES or message.thread_ts not in (None, message.ts)
        day.events.append(
            MessagePosted(
                **self._common(key, when),
                person=author,
                community=self.channel,
                thread_key=self._thread(message),
                is_reply=reply,
            )
        )
        day.presence.append((when, author, "posted"))

    def _reactions(
        self, day: DayEvents, message: SlackMessage, when: datetime, receiver: str | None
    ) -> None:
        for reaction in message.reactions:
            for giver in reaction.users:
                if giver in self.bots:
                    continue
                key = f"{self.channel}:{message.ts}:reaction:{reaction.name}:{giver}"
                day.events.append(
                    ReactionAdded(
                        **self._common(key, when),
                        person=giver,
                        community=self.channel,
                        receiver=receiver,
                        thread_key=self._thread(message),
                    )
                )

    def _thread(self, message: SlackMessage) -> str:
        return f"{self.channel}:{message.thread_ts or message.ts}"

    def _common(self, key: str, when: datetime) -> _Common:
        return {"platform": PLATFORM, "workspace": self.workspace, "key": key, "occurred_at": when}


class _Common(TypedDict):
    platform: str
    workspace: str
    key: str
    occurred_at: datetime
