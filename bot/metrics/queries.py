"""Aggregate queries over `daily_activity`: they read a bounded window, never the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlmodel import Session

from bot.metrics.windows import Frames
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY, MEMBERSHIP, PERSON

POSTED = DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies


@dataclass(frozen=True)
class PersonActivity:
    """One person's activity in the frames, within one community or across several."""

    person_id: int
    posts: int
    replies: int
    reactions_given: int
    reactions_received: int
    previous_posts: int
    reactions_12w: int
    weekly_posts: tuple[int, ...]

    @property
    def contributed(self) -> bool:
        return self.posts + self.replies > 0

    @property
    def reacted(self) -> bool:
        return self.reactions_given > 0

    @property
    def active_weeks(self) -> int:
        return sum(1 for posts in self.weekly_posts if posts > 0)

    @property
    def active_12w(self) -> bool:
        return self.active_weeks > 0 or self.reactions_12w > 0


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def _sum_between(bounds: tuple[date, date], expression: ColumnElement[Any]) -> Any:
    start, end = bounds
    return func.coalesce(
        func.sum(case((DAILY_ACTIVITY.c.day.between(start, end), expression), else_=0)), 0
    )


def activity_query(frames: Frames) -> Select[Any]:
    """Per-person sums over the frames; callers add their own filter."""
    weeks = [_sum_between(week, POSTED).label(f"w{i}") for i, week in enumerate(frames.weeks)]
    twelve_weeks = (frames.weeks[0][0], frames.as_of)
    return (
        select(
            DAILY_ACTIVITY.c.person_id,
            _sum_between(frames.window, DAILY_ACTIVITY.c.posts).label("posts"),
            _sum_between(frames.window, DAILY_ACTIVITY.c.replies).label("replies"),
            _sum_between(frames.window, DAILY_ACTIVITY.c.reactions_given).label("reactions_given"),
            _sum_between(frames.window, DAILY_ACTIVITY.c.reactions_received).label(
                "reactions_received"
            ),
            _sum_between(frames.previous_window, POSTED).label("previous_posts"),
            _sum_between(twelve_weeks, DAILY_ACTIVITY.c.reactions_given).label("reactions_12w"),
            *weeks,
        )
        .where(DAILY_ACTIVITY.c.day.between(frames.first_day, frames.as_of))
        .group_by(DAILY_ACTIVITY.c.person_id)
    )


def load_activity(session: Session, query: Select[Any]) -> list[PersonActivity]:
    rows = session.connection().execute(query).all()
    return [
        PersonActivity(
            person_id=row.person_id,
            posts=int(row.posts),
            replies=int(row.replies),
            reactions_given=int(row.reactions_given),
            reactions_received=int(row.reactions_received),
            previous_posts=int(row.previous_posts),
            reactions_12w=int(row.reactions_12w),
            weekly_posts=tuple(int(value) for value in row[7:]),
        )
        for row in rows
    ]


def community_activity(session: Session, community_id: int, frames: Frames) -> list[PersonActivity]:
    return load_activity(
        session, activity_query(frames).where(DAILY_ACTIVITY.c.community_id == community_id)
    )


def workspace_activity(session: Session, workspace_id: int, frames: Frames) -> list[PersonActivity]:
    in_workspace = select(COMMUNITY.c.id).where(COMMUNITY.c.workspace_id == workspace_id)
    query = activity_query(frames).where(
        DAILY_ACTIVITY.c.community_id.in_(in_workspace.scalar_subquery())
    )
    return load_activity(session, query)


def person_activity(session: Session, person_id: int, frames: Frames) -> PersonActivity | None:
    rows = load_activity(
        session, activity_query(frames).where(DAILY_ACTIVITY.c.person_id == person_id)
    )
    return rows[0] if rows else None


def days_with_posts(session: Session, frames: Frames, **filters: int) -> int:
    start, end = frames.window
    conditions = [DAILY_ACTIVITY.c.day.between(start, end), POSTED > 0]
    conditions += [DAILY_ACTIVITY.c[name] == value for name, value in filters.items()]
    query = select(func.count(func.distinct(DAILY_ACTIVITY.c.day))).where(and_(*conditions))
    return int(session.connection().execute(query).scalar_one())


def members_query(community_id: int, as_of: date) -> Select[Any]:
    """The ids of people (not bots) who were members at the end of `as_of`."""
    moment = end_of(as_of)
    return (
        select(MEMBERSHIP.c.person_id)
        .join(PERSON, PERSON.c.id == MEMBERSHIP.c.person_id)
        .where(
            MEMBERSHIP.c.community_id == community_id,
            PERSON.c.is_bot.is_(False),
            MEMBERSHIP.c.joined_at < moment,
            or_(MEMBERSHIP.c.state == "member", MEMBERSHIP.c.since >= moment),
            MEMBERSHIP.c.state.in_(("member", "left")),
        )
    )


def members_as_of(session: Session, community_id: int, as_of: date) -> set[int]:
    query = members_query(community_id, as_of)
    return {row[0] for row in session.connection().execute(query)}
