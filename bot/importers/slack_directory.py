"""users.json and channels.json -> people and communities, as neutral events.

A person's key carries a digest of their profile fields, so a later export with a changed
profile records the change while an unchanged one records nothing new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.events import CommunityCreated, Event, PersonSeen
from bot.importers.slack_schema import SlackChannel, SlackUser
from bot.importers.slack_translate import PLATFORM, moment

SLACKBOT = "USLACKBOT"


def bot_ids(users: Iterable[SlackUser]) -> frozenset[str]:
    return frozenset({user.id for user in users if user.is_bot} | {SLACKBOT})


def person_events(workspace: str, users: Iterable[SlackUser], now: datetime) -> list[Event]:
    """One PersonSeen per user, dated by the profile's `updated` time when the export has it."""
    events: list[Event] = []
    for user in users:
        profile = user.profile
        name = (profile and (profile.display_name or profile.real_name)) or user.real_name
        seen = PersonSeen(
            platform=PLATFORM,
            workspace=workspace,
            key="",
            occurred_at=moment(user.updated) if user.updated else now,
            person=user.id,
            display_name=name or user.name or None,
            tz=user.tz or None,
            locale=user.locale or None,
            is_bot=user.is_bot or user.id == SLACKBOT,
            deleted=user.deleted,
        )
        fields = [seen.display_name, seen.tz, seen.locale, seen.is_bot, seen.deleted]
        digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]
        events.append(replace(seen, key=f"{user.id}:profile:{digest}"))
    return events


def community_events(workspace: str, channels: Iterable[SlackChannel]) -> list[Event]:
    return [
        CommunityCreated(
            platform=PLATFORM,
            workspace=workspace,
            key=f"{channel.id}:created",
            occurred_at=moment(channel.created),
            community=channel.id,
            name=channel.name,
            is_private=False,
            creator=channel.creator or None,
        )
        for channel in channels
    ]
