"""What you do as a person in the console, recorded as the platform's events would be.

Metadata only, as everywhere: a message becomes a MessagePosted event; its text is dropped
here and never reaches the tracker. Events are dated by the console's clock, which `tick`
moves ahead of the real one, so they are checked against that clock, not the wall clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.events import Event, MemberJoined, MessagePosted, ReactionAdded
from bot.services import Services
from bot.tracker.inbox import insert_rows, split_future


def _key() -> str:
    return f"console-{uuid.uuid4().hex}"


def posted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return MessagePosted(
        platform=platform,
        workspace=workspace,
        key=_key(),
        occurred_at=at,
        person=person,
        community=community,
    )


def reacted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return ReactionAdded(
        platform=platform,
        workspace=workspace,
        key=_key(),
        occurred_at=at,
        person=person,
        community=community,
    )


def joined(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return MemberJoined(
        platform=platform,
        workspace=workspace,
        key=_key(),
        occurred_at=at,
        person=person,
        community=community,
    )


async def record_and_fold(services: Services, events: Sequence[Event]) -> int:
    """Record the events as of the console's clock, then fold them into the statistics."""
    now = services.clock()

    def insert(session: Session) -> int:
        rows, _future = split_future(events, now)
        return insert_rows(session, rows) if rows else 0

    new = await services.database.write(insert)
    await services.tracker.fold()
    return new
