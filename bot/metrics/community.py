"""A community's health: rhythm, breadth and silence, suppressed under the minimum group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from sqlmodel import Session

from bot.metrics.figures import (
    STEADY_WEEKS,
    Count,
    Rhythm,
    Share,
    Suppressed,
    count,
    rhythm,
    share,
)
from bot.metrics.queries import PersonActivity, community_activity, days_with_posts, members_as_of
from bot.metrics.windows import WINDOW_DAYS, Frames


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
) -> CommunityStats:
    """Pure: the community's figures from its people's activity and its member set."""
    rows = list(activity)
    hidden = Suppressed(minimum)
    if len(members) < minimum:
        return CommunityStats(
            as_of=as_of, **{item.name: hidden for item in fields(CommunityStats)[1:]}
        )
    contributors = {row.person_id for row in rows if row.contributed}
    reactors = {row.person_id for row in rows if row.reacted} - contributors
    silent = members - contributors - reactors
    regulars = {r.person_id for r in rows if r.active_weeks >= STEADY_WEEKS} & members
    people = count(len(members), minimum)
    volumes_visible = sum(1 for row in rows if row.active_12w) >= minimum
    weekly = tuple(sum(week) for week in zip(*(row.weekly_posts for row in rows), strict=True))
    weekly = weekly or (0,) * 12
    active_weeks = sum(1 for posts in weekly if posts > 0)
    posts = sum(row.posts + row.replies for row in rows)
    previous = sum(row.previous_posts for row in rows)
    momentum = (posts - previous) / previous if previous else None
    return CommunityStats(
        as_of=as_of,
        members=people,
        contributors=count(len(contributors), minimum),
        reactors=count(len(reactors), minimum),
        silent=count(len(silent), minimum),
        silent_share=share(len(silent), len(members), minimum),
        regulars=count(len(regulars), minimum),
        active_weeks=active_weeks if volumes_visible else hidden,
        rhythm=rhythm(active_weeks) if volumes_visible else hidden,
        days_active_ratio=days_active / WINDOW_DAYS if volumes_visible else hidden,
        posts=posts if volumes_visible else hidden,
        previous_posts=previous if volumes_visible else hidden,
        momentum=momentum if volumes_visible else hidden,
        weekly_posts=weekly if volumes_visible else hidden,
    )


def community_stats(
    session: Session, community_id: int, as_of: date, minimum: int
) -> CommunityStats:
    """Read the community's rollups for the frames ending at `as_of` and summarise them."""
    frames = Frames(as_of)
    return summarise_community(
        community_activity(session, community_id, frames),
        members_as_of(session, community_id, as_of),
        days_with_posts(session, frames, community_id=community_id),
        as_of,
        minimum,
    )
