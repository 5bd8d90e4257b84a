"""The most alive communities: ranked by active weeks, then contributors in W, then posts —
never by member count, never by person.

Two paths rank the same communities (the tests hold them equal): the exact one sums the
`daily_activity` rollups (`top_from_rollups`), for any date; the fast one reads community
and member traces (`top_from_traces`): communities are taken in order of active weeks (from
their own traces); contributors are counted (on an index, by range) only for as many of
them as the ranking needs, and posts, the last tie-break, only for the communities that can
still make the list. For a date before a community's latest activity, it answers None and
the rollups rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, bindparam, case, func, select
from sqlmodel import Session

from bot.metrics.community import POSTED
from bot.metrics.definitions import WEEKS, Frames, Rhythm, observed_weeks, rhythm
from bot.storage.tables import (
    COMMUNITY,
    COMMUNITY_DAY,
    COMMUNITY_TRACE,
    DAILY_ACTIVITY,
    MEMBER_TRACE,
)
from bot.tracker import traces  # the module: it reads its windows from bot.metrics

Counted = tuple[int, str, int, int, int]
"""(community, name, active weeks, contributors, posts)."""


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


def top_from_traces(
    session: Session, workspace_id: int, as_of: date, minimum: int, limit: int
) -> list[Counted] | None:
    """The communities that can be among the first `limit` (ties included), or None."""
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
        community: (
            posted << traces.week_of(day) - traces.week_of(anchor) & (1 << WEEKS) - 1
        ).bit_count()
        for community, _, anchor, posted, active_until in rows
        if active_until >= day
    }
    names = {community: name for community, name, *_ in rows}
    chosen: list[tuple[int, int, int]] = []
    by_weeks = sorted(weeks, key=lambda community: -weeks[community])
    for active_weeks, group in groupby(by_weeks, key=lambda community: weeks[community]):
        counted = _contributors(connection, list(group), day, minimum)
        chosen += [(community, active_weeks, contributors) for community, contributors in counted]
        if len(chosen) >= limit:
            break
    chosen.sort(key=lambda ranked: (-ranked[1], -ranked[2]))
    if 0 < limit < len(chosen):  # posts only break ties: kept for the first `limit` and equals
        cut = chosen[limit - 1][1:]
        chosen = [ranked for ranked in chosen if ranked[1:] >= cut]
    posts = _posts(connection, [community for community, _, _ in chosen], as_of)
    return [
        (community, names[community], active_weeks, contributors, posts.get(community, 0))
        for community, active_weeks, contributors in chosen
    ]


def _contributors(
    connection: Connection, communities: Sequence[int], day: int, minimum: int
) -> list[tuple[int, int]]:
    """(community, contributors in W) of those with enough active people. Contributors are
    counted on the index by range; a contributor is active, so people active in the 12
    weeks are counted only where contributors alone do not reach the minimum."""
    counts = _counted(connection, communities, MEMBER_TRACE.c.contributor_until >= day)
    few = [community for community in communities if counts.get(community, 0) < minimum]
    active = _counted(connection, few, MEMBER_TRACE.c.active_until >= day) if few else {}
    return [
        (community, counts.get(community, 0))
        for community in communities
        if max(counts.get(community, 0), active.get(community, 0)) >= minimum
    ]


def _counted(
    connection: Connection, communities: Sequence[int], holds: ColumnElement[bool]
) -> dict[int, int]:
    return dict(
        connection.execute(
            select(MEMBER_TRACE.c.community_id, func.count())
            .where(MEMBER_TRACE.c.community_id.in_(_inline(communities)), holds)
            .group_by(MEMBER_TRACE.c.community_id)
        ).all()
    )


def _posts(connection: Connection, communities: Sequence[int], as_of: date) -> dict[int, int]:
    if not communities:
        return {}
    start, end = Frames(as_of).window
    return dict(
        connection.execute(
            select(COMMUNITY_DAY.c.community_id, func.sum(COMMUNITY_DAY.c.posts))
            .where(
                COMMUNITY_DAY.c.community_id.in_(_inline(communities)),
                COMMUNITY_DAY.c.day.between(start, end),
            )
            .group_by(COMMUNITY_DAY.c.community_id)
        ).all()
    )


def _inline(ids: Sequence[int]) -> BindParameter[Any]:
    """Hundreds of ids written into the statement: binding each costs PostgreSQL more."""
    return bindparam("ids", list(ids), expanding=True, literal_execute=True)
