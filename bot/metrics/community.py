"""A community's health: rhythm, breadth and silence, suppressed under the minimum group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from sqlmodel import Session

from bot.metrics.community_traces import CommunityCounts, counts_from_traces
from bot.metrics.disclosure import Sum, protect
from bot.metrics.figures import (
    STEADY_WEEKS,
    Count,
    Rhythm,
    Share,
    Suppressed,
    count,
    observed_weeks,
    rhythm,
    share,
)
from bot.metrics.queries import PersonActivity, community_activity, days_with_posts, members_as_of
from bot.metrics.windows import WEEKS, WINDOW_DAYS, Frames
from bot.storage.models import Community


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
        weekly_posts=weekly or (0,) * 12,
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
    momentum = (posts - previous) / previous if previous else None
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
        momentum=momentum if volumes_visible else hidden,
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
