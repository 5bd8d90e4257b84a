"""The most alive communities from community and member traces: no rollup is scanned.

Communities are taken in order of active weeks (from their own traces), and contributors,
active people and posts are counted only for as many of them as the ranking needs. For a
date before a community's latest activity, `None` leaves the ranking to the rollups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby

from sqlalchemy import Table, case, func, select
from sqlmodel import Session

from bot.metrics.queries import COMMUNITY
from bot.metrics.windows import Frames
from bot.storage.models import CommunityDay, CommunityTrace, MemberTrace
from bot.tracker.traces import WEEKS, week_of

COMMUNITY_TRACE: Table = CommunityTrace.__table__  # type: ignore[attr-defined]
MEMBER_TRACE: Table = MemberTrace.__table__  # type: ignore[attr-defined]
DAYS: Table = CommunityDay.__table__  # type: ignore[attr-defined]
Counted = tuple[int, str, int, int, int]
"""(community, name, active weeks, contributors, posts)."""


def top_from_traces(
    session: Session, workspace_id: int, as_of: date, minimum: int, limit: int
) -> list[Counted] | None:
    day = as_of.toordinal()
    connection = session.connection()
    rows = connection.execute(
        select(
            COMMUNITY.c.id,
            COMMUNITY.c.name,
            COMMUNITY_TRACE.c.anchor,
            COMMUNITY_TRACE.c.posted_weeks,
            COMMUNITY_TRACE.c.active_until,
        )
        .join(COMMUNITY_TRACE, COMMUNITY_TRACE.c.community_id == COMMUNITY.c.id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            COMMUNITY.c.is_private.is_(False),
            COMMUNITY.c.is_archived.is_(False),
        )
    ).all()
    if any(anchor > day for _, _, anchor, _, _ in rows):
        return None
    weeks = {
        community: (posted << week_of(day) - week_of(anchor) & (1 << WEEKS) - 1).bit_count()
        for community, _, anchor, posted, active_until in rows
        if active_until >= day
    }
    names = {community: name for community, name, *_ in rows}
    ranked: list[Counted] = []
    by_weeks = sorted(weeks, key=lambda community: -weeks[community])
    for active_weeks, group in groupby(by_weeks, key=lambda community: weeks[community]):
        ids = list(group)
        for community, contributors, posts in _breadth(session, ids, day, as_of, minimum):
            ranked.append((community, names[community], active_weeks, contributors, posts))
        if len(ranked) >= limit:
            break
    return ranked


def _breadth(
    session: Session, communities: Sequence[int], day: int, as_of: date, minimum: int
) -> list[tuple[int, int, int]]:
    """(community, contributors in W, posts in W) of those with enough active people."""
    connection = session.connection()
    people = connection.execute(
        select(
            MEMBER_TRACE.c.community_id,
            func.sum(case((MEMBER_TRACE.c.contributor_until >= day, 1), else_=0)),
            func.sum(case((MEMBER_TRACE.c.active_until >= day, 1), else_=0)),
        )
        .where(MEMBER_TRACE.c.community_id.in_(communities))
        .group_by(MEMBER_TRACE.c.community_id)
    ).all()
    start, end = Frames(as_of).window
    posts = dict(
        connection.execute(
            select(DAYS.c.community_id, func.sum(DAYS.c.posts))
            .where(DAYS.c.community_id.in_(communities), DAYS.c.day.between(start, end))
            .group_by(DAYS.c.community_id)
        ).all()
    )
    return [
        (community, contributors, posts.get(community, 0))
        for community, contributors, active in people
        if active >= minimum
    ]
