"""A community's counts from its member traces and community days: no rollup is scanned.

The traces answer for dates from the newest activity in the community on (the usual
"now"); for an earlier date `None` tells the caller to sum the rollups instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlmodel import Session

from bot.metrics.queries import members_query
from bot.metrics.windows import Frames
from bot.storage.tables import COMMUNITY_DAY, MEMBER_TRACE


@dataclass(frozen=True)
class CommunityCounts:
    members: int
    contributors: int
    reactors: int
    silent: int
    regulars: int
    active_12w: int
    """People who posted or reacted in the 12 weeks, members or not."""
    weekly_posts: tuple[int, ...]
    posts: int
    previous_posts: int
    days_active: int


def _number(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts_from_traces(session: Session, community_id: int, as_of: date) -> CommunityCounts | None:
    day = as_of.toordinal()
    connection = session.connection()
    contributor = MEMBER_TRACE.c.contributor_until >= day
    reactor = and_(MEMBER_TRACE.c.reactor_until >= day, MEMBER_TRACE.c.contributor_until < day)
    active = connection.execute(
        select(
            _number(contributor),
            _number(reactor),
            _number(MEMBER_TRACE.c.active_until >= day),
            func.coalesce(func.max(MEMBER_TRACE.c.anchor), 0),
        ).where(MEMBER_TRACE.c.community_id == community_id)
    ).one()
    contributors, reactors, active_12w, newest = active
    if newest > day:
        return None
    members = members_query(community_id, as_of).subquery()
    joined = members.outerjoin(
        MEMBER_TRACE,
        and_(
            MEMBER_TRACE.c.community_id == community_id,
            MEMBER_TRACE.c.person_id == members.c.person_id,
        ),
    )
    member_count, heard, regulars = connection.execute(
        select(
            func.count(),
            _number(
                or_(MEMBER_TRACE.c.contributor_until >= day, MEMBER_TRACE.c.reactor_until >= day)
            ),
            _number(MEMBER_TRACE.c.regular_until >= day),
        ).select_from(joined)
    ).one()
    frames = Frames(as_of)
    posts_by_day = dict(
        connection.execute(
            select(COMMUNITY_DAY.c.day, COMMUNITY_DAY.c.posts).where(
                COMMUNITY_DAY.c.community_id == community_id,
                COMMUNITY_DAY.c.day.between(frames.first_day, as_of),
            )
        ).all()
    )
    return CommunityCounts(
        members=member_count,
        contributors=contributors,
        reactors=reactors,
        silent=member_count - heard,
        regulars=regulars,
        active_12w=active_12w,
        weekly_posts=tuple(_between(posts_by_day, week) for week in frames.weeks),
        posts=_between(posts_by_day, frames.window),
        previous_posts=_between(posts_by_day, frames.previous_window),
        days_active=sum(1 for d in posts_by_day if frames.window[0] <= d <= frames.window[1]),
    )


def _between(posts_by_day: dict[date, int], bounds: tuple[date, date]) -> int:
    start, end = bounds
    return sum(posts for day, posts in posts_by_day.items() if start <= day <= end)
