"""Small builders for neutral events with realistic Slack-like ids."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from bot.events import MemberJoined, MemberLeft, MessagePosted, ReactionAdded

_serial = count(1)
WORKSPACE = "T024BE7LD"


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def post(
    person: str, community: str, day: str, *, reply: bool = False, key: str = ""
) -> MessagePosted:
    return MessagePosted(
        platform="slack",
        workspace=WORKSPACE,
        key=key or f"Ev{next(_serial):08d}",
        occurred_at=at(day),
        person=person,
        community=community,
        thread_key="1355517523.000005" if reply else None,
        is_reply=reply,
    )


def react(person: str, community: str, day: str, receiver: str | None = None) -> ReactionAdded:
    return ReactionAdded(
        platform="slack",
        workspace=WORKSPACE,
        key=f"Ev{next(_serial):08d}",
        occurred_at=at(day),
        person=person,
        community=community,
        receiver=receiver,
    )


def join(person: str, community: str, day: str, hour: int = 9) -> MemberJoined:
    return MemberJoined(
        platform="slack",
        workspace=WORKSPACE,
        key=f"Ev{next(_serial):08d}",
        occurred_at=at(day, hour),
        person=person,
        community=community,
    )


def leave(person: str, community: str, day: str, hour: int = 18) -> MemberLeft:
    return MemberLeft(
        platform="slack",
        workspace=WORKSPACE,
        key=f"Ev{next(_serial):08d}",
        occurred_at=at(day, hour),
        person=person,
        community=community,
    )
