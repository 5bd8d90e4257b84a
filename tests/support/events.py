"""Small builders for neutral events with realistic Slack-like ids."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import TypeVar

from sqlalchemy import insert

from bot.events import MemberJoined, MemberLeft, MessagePosted, ReactionAdded
from bot.services import Services
from bot.storage.tables import INBOX_EVENT

MembershipEvent = TypeVar("MembershipEvent", MemberJoined, MemberLeft)
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
    return _membership(MemberJoined, person, community, at(day, hour))


def leave(person: str, community: str, day: str, hour: int = 18) -> MemberLeft:
    return _membership(MemberLeft, person, community, at(day, hour))


def _membership(
    kind: type[MembershipEvent], person: str, community: str, moment: datetime
) -> MembershipEvent:
    return kind(
        platform="slack",
        workspace=WORKSPACE,
        key=f"Ev{next(_serial):08d}",
        occurred_at=moment,
        person=person,
        community=community,
    )


def raw_row(
    kind: str, attrs: object, *, community: str = "C1", workspace: str = WORKSPACE
) -> dict[str, object]:
    """An inbox row as a bug, a crafted request or an earlier version could have stored it,
    bypassing the tracker's checks: insert it into `inbox_event` directly."""
    return {
        "platform": "slack",
        "workspace": workspace,
        "event_key": f"Raw{next(_serial):08d}",
        "kind": kind,
        "person": "U1" if kind in ("message", "person_seen") else None,
        "community": community,
        "occurred_at": at("2026-03-03"),
        "attrs": attrs,
        "processed": False,
        "received_at": at("2026-03-03"),
    }


async def store_raw(services: Services, *rows: dict[str, object]) -> None:
    table = INBOX_EVENT
    await services.database.write(lambda session: session.execute(insert(table), list(rows)))
