"""Latency of the statistics a person asks for, on a workspace already folded."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from bench.harness import percentile
from bot.metrics import community_stats, org_ladders
from bot.metrics.top import top_communities
from bot.metrics.trend import PastMonths, ladder_trend
from bot.storage.database import Database
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY, MEMBERSHIP, WORKSPACE

MINIMUM_GROUP = 5


@dataclass
class Latencies:
    community: list[float]
    organisation: list[float]
    anchor: list[float]
    trend: list[float]
    trend_cold: list[float]

    def figures(self, name: str) -> list[float]:
        values: list[float] = getattr(self, name)
        return [percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000]


def measure_stats(database: Database, workspace: str, as_of: date, samples: int) -> Latencies:
    """Community stats for the largest communities and a random sample of the others, the
    organisation's stats (ladders and top 10), and an anchor: one raw indexed sum over a
    community's rollups."""
    workspace_id, communities = database.read_sync(lambda s: _targets(s, workspace, samples))
    first = as_of - timedelta(weeks=12)

    def anchor(session: Session, community: int) -> Any:
        return session.execute(
            select(func.sum(DAILY_ACTIVITY.c.posts)).where(
                DAILY_ACTIVITY.c.community_id == community,
                DAILY_ACTIVITY.c.day.between(first, as_of),
            )
        ).scalar()

    def stats(session: Session, community: int) -> Any:
        return community_stats(session, community, as_of, MINIMUM_GROUP)

    def organisation(session: Session) -> Any:
        """What `engage stats` shows without --community: the ladders and the top 10."""
        ladders = org_ladders(session, workspace_id, as_of, MINIMUM_GROUP)
        return ladders, top_communities(session, workspace_id, as_of, MINIMUM_GROUP, limit=10)

    past = PastMonths()

    def trend(session: Session) -> Any:
        """What `/engage stats org` shows: the ladders month by month for 12 months (the
        past months kept by the first call, as the server keeps them)."""
        return ladder_trend(session, workspace_id, as_of, MINIMUM_GROUP, past=past)

    cold = [_timed(database, trend)]

    return Latencies(
        community=[_timed(database, partial(stats, community=c)) for c in communities],
        organisation=[_timed(database, organisation) for _ in range(max(samples // 3, 5))],
        anchor=[_timed(database, partial(anchor, community=c)) for c in communities],
        trend=[_timed(database, trend) for _ in range(max(samples // 3, 5))],
        trend_cold=cold,
    )


def _targets(session: Session, workspace: str, samples: int) -> tuple[int, list[int]]:
    workspace_id: int = session.execute(
        select(WORKSPACE.c.id).where(WORKSPACE.c.external_id == workspace)
    ).scalar_one()
    sizes = session.execute(
        select(MEMBERSHIP.c.community_id, func.count())
        .join(COMMUNITY, COMMUNITY.c.id == MEMBERSHIP.c.community_id)
        .where(COMMUNITY.c.workspace_id == workspace_id)
        .group_by(MEMBERSHIP.c.community_id)
        .order_by(func.count().desc())
    ).all()
    ranked = [int(row[0]) for row in sizes]
    largest = ranked[: samples // 4]
    rest = ranked[len(largest) :]
    return workspace_id, largest + random.Random(1).sample(
        rest, min(samples - len(largest), len(rest))
    )


def _timed(database: Database, work: Callable[[Session], Any]) -> float:
    started = time.perf_counter()
    database.read_sync(work)
    return time.perf_counter() - started
