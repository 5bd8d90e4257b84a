"""What you do as a person in the console, recorded as the platform's events would be.

Metadata only, as everywhere: a message becomes a MessagePosted event; its text is dropped
here and never reaches the tracker. Events are dated by the console's clock, which `tick`
moves ahead of the real one, so they are checked against that clock, not the wall clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from bot.events import Event, MemberJoined, MessagePosted, ReactionAdded
from bot.services import Services
from bot.tracker import record_chunk


def _activity(
    kind: type[MessagePosted | ReactionAdded | MemberJoined],
    platform: str,
    workspace: str,
    person: str,
    community: str,
    at: datetime,
) -> Event:
    key = f"console-{uuid.uuid4().hex}"
    return kind(
        platform=platform,
        workspace=workspace,
        key=key,
        occurred_at=at,
        person=person,
        community=community,
    )


def posted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(MessagePosted, platform, workspace, person, community, at)


def reacted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(ReactionAdded, platform, workspace, person, community, at)


def joined(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(MemberJoined, platform, workspace, person, community, at)


async def record_and_fold(services: Services, events: Sequence[Event]) -> int:
    """Record the events as of the console's clock, then fold them into the statistics."""
    now = services.clock()
    summary = await services.database.write(lambda session: record_chunk(session, events, now=now))
    await services.tracker.fold()
    return summary.new
