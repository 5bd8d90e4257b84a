"""Communities ranked by rhythm and breadth — never by member count, never by person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlmodel import Session

from bot.metrics.figures import Rhythm, observed_weeks, rhythm
from bot.metrics.queries import POSTED
from bot.metrics.top_traces import Counted, top_from_traces
from bot.metrics.windows import Frames
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY


@dataclass(frozen=True)
class RankedCommunity:
    community_id: int
    name: str
    active_weeks: int
    rhythm: Rhythm
    contributors: int
    posts: int
    external_id: str = ""


def top_communities(
    session: Session, workspace_id: int, as_of: date, minimum: int, limit: int = 5
) -> list[RankedCommunity]:
    """Public communities whose activity group reaches the minimum, most alive first."""
    counted = top_from_traces(session, workspace_id, as_of, minimum, limit)
    if counted is None:
        counted = top_from_rollups(session, workspace_id, as_of, minimum)
    counted.sort(key=lambda c: (-c[2], -c[3], -c[4], c[1]))
    counted = counted[:limit]
    rows = session.connection().execute(
        select(COMMUNITY.c.id, COMMUNITY.c.created_at, COMMUNITY.c.external_id).where(
            COMMUNITY.c.id.in_([c[0] for c in counted])
        )
    )
    known = {row[0]: (row[1], row[2]) for row in rows}
    return [
        RankedCommunity(
            community,
            name,
            weeks,
            rhythm(weeks, observed_weeks(known.get(community, (None, ""))[0], as_of)),
            contributors,
            posts,
            external_id=known.get(community, (None, ""))[1],
        )
        for community, name, weeks, contributors, posts in counted
    ]


def top_from_rollups(
    session: Session, workspace_id: int, as_of: date, minimum: int
) -> list[Counted]:
    """Every public community whose activity group reaches the minimum, summed from rollups."""
    frames = Frames(as_of)
    start, end = frames.window
    in_window = DAILY_ACTIVITY.c.day.between(start, end)
    weeks = [
        func.max(case((DAILY_ACTIVITY.c.day.between(a, b) & (POSTED > 0), 1), else_=0))
        for a, b in frames.weeks
    ]
    active_weeks = sum(weeks[1:], weeks[0])
    query = (
        select(
            COMMUNITY.c.id,
            COMMUNITY.c.name,
            active_weeks.label("active_weeks"),
            func.count(
                func.distinct(case((in_window & (POSTED > 0), DAILY_ACTIVITY.c.person_id)))
            ).label("contributors"),
            func.count(func.distinct(DAILY_ACTIVITY.c.person_id)).label("people"),
            func.coalesce(func.sum(case((in_window, POSTED), else_=0)), 0).label("posts"),
        )
        .join(COMMUNITY, COMMUNITY.c.id == DAILY_ACTIVITY.c.community_id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            COMMUNITY.c.is_private.is_(False),
            COMMUNITY.c.is_archived.is_(False),
            DAILY_ACTIVITY.c.day.between(frames.weeks[0][0], as_of),
            (POSTED + DAILY_ACTIVITY.c.reactions_given) > 0,
        )
        .group_by(COMMUNITY.c.id, COMMUNITY.c.name)
    )
    return [
        (row.id, row.name, int(row.active_weeks), int(row.contributors), int(row.posts))
        for row in session.connection().execute(query)
        if row.people >= minimum
    ]
