"""The suggestion funnel: suggested -> followed -> joined -> first post within 30 days.

Each stage counts the suggestions that reached it by `as_of`. The stages are nested, as in
a campaign's results (`bot.campaigns.results`): joining includes following, so a join
straight from the card counts as followed too (`followed`). Shown counts below the minimum
group are suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session

from bot.metrics.definitions import Count, count
from bot.storage.tables import COMMUNITY, FOLLOW_STEP, SUGGESTION

STAGES = ("followed_at", "joined_at", "first_post_at", "dismissed_at")
FIELDS = ("suggested", "followed", "joined", "first_post", "dismissed", "ignored")


@dataclass(frozen=True)
class FunnelCounts:
    suggested: int
    followed: int
    joined: int
    first_post: int
    dismissed: int
    ignored: int


@dataclass(frozen=True)
class FunnelFigures:
    suggested: Count
    followed: Count
    joined: Count
    first_post: Count
    dismissed: Count
    ignored: Count

    @classmethod
    def of(cls, funnel: FunnelCounts, minimum: int) -> FunnelFigures:
        return cls(*(count(getattr(funnel, item), minimum) for item in FIELDS))


def funnel(
    session: Session,
    workspace_id: int,
    as_of: date,
    community_id: int | None = None,
    days: int | None = None,
) -> FunnelCounts:
    """Suggestions delivered up to the end of `as_of` (over the last `days` if given)."""
    end = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    counts: list[Any] = [
        func.count(),
        *(_before(_reached(name), end) for name in STAGES),
        func.sum(case((SUGGESTION.c.state == "ignored", 1), else_=0)),
    ]
    query = (
        select(*counts)
        .join(COMMUNITY, COMMUNITY.c.id == SUGGESTION.c.community_id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            SUGGESTION.c.sent_at.is_not(None),
            SUGGESTION.c.sent_at < end,
        )
    )
    if community_id is not None:
        query = query.where(SUGGESTION.c.community_id == community_id)
    if days is not None:
        query = query.where(SUGGESTION.c.sent_at >= end - timedelta(days=days))
    row = session.connection().execute(query).one()
    return FunnelCounts(*(int(value or 0) for value in row))


def _reached(stage: str) -> ColumnElement[Any]:
    """When a suggestion reached `stage`: followed when followed, or else when joined."""
    if stage == "followed_at":
        return func.coalesce(SUGGESTION.c.followed_at, SUGGESTION.c.joined_at)
    return SUGGESTION.c[stage]


def _before(column: ColumnElement[Any], end: datetime) -> Any:
    return func.sum(case((column < end, 1), else_=0))


@dataclass(frozen=True)
class FollowSteps:
    """From following a community to joining it: people who followed by `as_of`, those
    asked "Join?", and those who joined after following (on the card or by themselves)."""

    followed: Count
    asked: Count
    joined: Count


def follow_steps(
    session: Session, workspace_id: int, as_of: date, minimum: int, community_id: int | None = None
) -> FollowSteps:
    end = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    query = (
        select(
            func.count(),
            _before(FOLLOW_STEP.c.asked_at, end),
            _before(FOLLOW_STEP.c.joined_at, end),
        )
        .join(COMMUNITY, COMMUNITY.c.id == FOLLOW_STEP.c.community_id)
        .where(COMMUNITY.c.workspace_id == workspace_id, FOLLOW_STEP.c.followed_at < end)
    )
    if community_id is not None:
        query = query.where(FOLLOW_STEP.c.community_id == community_id)
    row = session.connection().execute(query).one()
    followed, asked, joined = (int(value or 0) for value in row)
    return FollowSteps(count(followed, minimum), count(asked, minimum), count(joined, minimum))
