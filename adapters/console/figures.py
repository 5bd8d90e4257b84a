"""The demo's figures: the ladder, alive versus large communities, one health card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, func, select
from sqlmodel import Session

from bot.metrics import (
    CommunityStats,
    Ladder,
    RankedCommunity,
    community_stats,
    org_ladders,
    top_communities,
)
from bot.storage.tables import COMMUNITY, MEMBERSHIP


@dataclass(frozen=True)
class Sized:
    community_id: int
    name: str
    members: int
    stats: CommunityStats


@dataclass(frozen=True)
class Overview:
    ladder: Ladder
    alive: list[tuple[RankedCommunity, CommunityStats]]
    largest: list[Sized]


def overview(session: Session, workspace_id: int, as_of: date, minimum: int) -> Overview:
    ladder, _departments = org_ladders(session, workspace_id, as_of, minimum)
    alive = [
        (ranked, community_stats(session, ranked.community_id, as_of, minimum))
        for ranked in top_communities(session, workspace_id, as_of, minimum)
    ]
    largest = [
        Sized(row.id, row.name or row.external_id, int(row.members), stats=stats)
        for row in _largest(session, workspace_id)
        for stats in (community_stats(session, row.id, as_of, minimum),)
    ]
    return Overview(ladder, alive, largest)


def _largest(session: Session, workspace_id: int, limit: int = 5) -> list[Row[Any]]:
    members = func.count(MEMBERSHIP.c.person_id).label("members")
    query = (
        select(COMMUNITY.c.id, COMMUNITY.c.name, COMMUNITY.c.external_id, members)
        .join(MEMBERSHIP, MEMBERSHIP.c.community_id == COMMUNITY.c.id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            COMMUNITY.c.is_private.is_(False),
            COMMUNITY.c.is_archived.is_(False),
            MEMBERSHIP.c.state == "member",
        )
        .group_by(COMMUNITY.c.id, COMMUNITY.c.name, COMMUNITY.c.external_id)
        .order_by(members.desc(), COMMUNITY.c.name)
        .limit(limit)
    )
    return list(session.connection().execute(query))
