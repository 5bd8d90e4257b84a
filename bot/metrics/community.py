"""A community's health: rhythm, breadth and silence, suppressed under the minimum group.

Two paths give the same figures (the tests hold them equal): the fast one reads the
community's member traces and community days (`counts_from_traces`), for dates from its
newest activity on (the usual "now"); the exact one sums the `daily_activity` rollups
(`community_stats_from_rollups`, over the bounded window of `Frames`), for any date.
The rollup queries (`PersonActivity`, `members_as_of`) also serve the ladder and the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlmodel import Session

from bot.metrics.definitions import (
    STEADY_WEEKS,
    WEEKS,
    WINDOW_DAYS,
    Count,
    Frames,
    Rhythm,
    Share,
    Sum,
    Suppressed,
    count,
    momentum,
    observed_weeks,
    protect,
    rhythm,
    share,
)
from bot.storage.models import Community
from bot.storage.tables import (
    COMMUNITY,
    COMMUNITY_DAY,
    DAILY_ACTIVITY,
    MEMBER_TRACE,
    MEMBERSHIP,
    PERSON,
)

POSTED = DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies
"""Posts and replies: what makes a day, a week or a person active."""


@dataclass(frozen=True)
class CommunityStats:
    as_of: date
    members: Count
    contributors: Count
    reactors: Count
    silent: Count
    silent_share: Share
    regulars: Count
    active_weeks: int | Suppressed
    rhythm: Rhythm | Suppressed
    days_active_ratio: float | Suppressed
    posts: int | Suppressed
    previous_posts: int | Suppressed
    momentum: float | Suppressed | None
    weekly_posts: tuple[int, ...] | Suppressed


def summarise_community(
    activity: Iterable[PersonActivity],
    members: set[int],
    days_active: int,
    as_of: date,
    minimum: int,
    observed: int = WEEKS,
) -> CommunityStats:
    """Pure: the community's figures from its people's activity and its member set."""
    rows = list(activity)
    contributors = {row.person_id for row in rows if row.contributed}
    reactors = {row.person_id for row in rows if row.reacted} - contributors
    weekly = tuple(sum(week) for week in zip(*(row.weekly_posts for row in rows), strict=True))
    counts = CommunityCounts(
        members=len(members),
        contributors=len(contributors),
        reactors=len(reactors),
        silent=len(members - contributors - reactors),
        regulars=len({r.person_id for r in rows if r.active_weeks >= STEADY_WEEKS} & members),
        active_12w=sum(1 for row in rows if row.active_12w),
        weekly_posts=weekly or (0,) * WEEKS,
        posts=sum(row.posts + row.replies for row in rows),
        previous_posts=sum(row.previous_posts for row in rows),
        days_active=days_active,
    )
    return summarise_counts(counts, as_of, minimum, observed)


def summarise_counts(
    counts: CommunityCounts, as_of: date, minimum: int, observed: int = WEEKS
) -> CommunityStats:
    """Pure: the community's figures from its counts, each suppressed under the minimum;
    `observed` is how many of the 12 weeks the community has lived (see `rhythm`)."""
    hidden = Suppressed(minimum)
    if counts.members < minimum:
        return CommunityStats(
            as_of=as_of, **{item.name: hidden for item in fields(CommunityStats)[1:]}
        )
    volumes_visible = counts.active_12w >= minimum
    active_weeks = sum(1 for posts in counts.weekly_posts if posts > 0)
    posts, previous = counts.posts, counts.previous_posts
    breadth = protect(
        {
            "members": counts.members,
            "contributors": counts.contributors,
            "reactors": counts.reactors,
            "silent": counts.silent,
        },
        [Sum("members", ("contributors", "reactors", "silent"))],
        minimum,
    )
    silent = breadth["silent"]
    return CommunityStats(
        as_of=as_of,
        members=breadth["members"],
        contributors=breadth["contributors"],
        reactors=breadth["reactors"],
        silent=silent,
        silent_share=silent
        if isinstance(silent, Suppressed)
        else share(counts.silent, counts.members, minimum),
        regulars=count(counts.regulars, minimum),
        active_weeks=active_weeks if volumes_visible else hidden,
        rhythm=rhythm(active_weeks, observed) if volumes_visible else hidden,
        days_active_ratio=counts.days_active / WINDOW_DAYS if volumes_visible else hidden,
        posts=posts if volumes_visible else hidden,
        previous_posts=previous if volumes_visible else hidden,
        momentum=momentum(posts, previous) if volumes_visible else hidden,
        weekly_posts=counts.weekly_posts if volumes_visible else hidden,
    )


def community_stats(
    session: Session, community_id: int, as_of: date, minimum: int
) -> CommunityStats:
    """The community's figures at `as_of`: from its traces, or summed from its rollups for a
    date before its latest activity."""
    counts = counts_from_traces(session, community_id, as_of)
    if counts is not None:
        return summarise_counts(counts, as_of, minimum, _observed(session, community_id, as_of))
    return community_stats_from_rollups(session, community_id, as_of, minimum)


def community_stats_from_rollups(
    session: Session, community_id: int, as_of: date, minimum: int
) -> CommunityStats:
    """The community's figures summed from its rollups: exact for any date."""
    frames = Frames(as_of)
    return summarise_community(
        community_activity(session, community_id, frames),
        members_as_of(session, community_id, as_of),
        days_with_posts(session, frames, community_id=community_id),
        as_of,
        minimum,
        _observed(session, community_id, as_of),
    )


def _observed(session: Session, community_id: int, as_of: date) -> int:
    community = session.get(Community, community_id)
    return observed_weeks(community.created_at if community else None, as_of)


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
