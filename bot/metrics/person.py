"""A person's own figures. Only that person sees them, so nothing is suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlmodel import Session

from bot.metrics.ladder import Rung, animator_ids, rung_of
from bot.metrics.queries import POSTED, days_with_posts, person_activity
from bot.metrics.windows import WINDOW_DAYS, Frames
from bot.storage.tables import DAILY_ACTIVITY


@dataclass(frozen=True)
class PersonStats:
    as_of: date
    posts: int
    replies: int
    reactions_given: int
    reactions_received: int
    active_weeks: int
    days_active_ratio: float
    communities_active: int
    weekly_posts: tuple[int, ...]
    rung: Rung


def person_stats(session: Session, person_id: int, workspace_id: int, as_of: date) -> PersonStats:
    frames = Frames(as_of)
    activity = person_activity(session, person_id, frames)
    start, end = frames.window
    communities = (
        session.connection()
        .execute(
            select(func.count(func.distinct(DAILY_ACTIVITY.c.community_id))).where(
                and_(
                    DAILY_ACTIVITY.c.person_id == person_id,
                    DAILY_ACTIVITY.c.day.between(start, end),
                    POSTED > 0,
                )
            )
        )
        .scalar_one()
    )
    rung = rung_of(activity, person_id in animator_ids(session, workspace_id))
    return PersonStats(
        as_of=as_of,
        posts=activity.posts if activity else 0,
        replies=activity.replies if activity else 0,
        reactions_given=activity.reactions_given if activity else 0,
        reactions_received=activity.reactions_received if activity else 0,
        active_weeks=activity.active_weeks if activity else 0,
        days_active_ratio=days_with_posts(session, frames, person_id=person_id) / WINDOW_DAYS,
        communities_active=int(communities),
        weekly_posts=activity.weekly_posts if activity else (0,) * 12,
        rung=rung,
    )
