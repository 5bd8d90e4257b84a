"""A followed community's week: rhythm, posts, contributors, most reacted threads.

Counts only, with the same suppression as the stats card; threads are platform keys
(`channel:ts`), never message text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.metrics import CommunityStats, community_stats
from bot.metrics.definitions import last_full_week
from bot.storage.models import Community, Workspace
from bot.storage.tables import INBOX_EVENT

TOP_THREADS = 3


@dataclass(frozen=True, slots=True)
class Thread:
    key: str
    reactions: int


@dataclass(frozen=True, slots=True)
class CommunityWeek:
    community_id: int
    external_id: str
    name: str
    stats: CommunityStats
    threads: tuple[Thread, ...]
    pitch: str | None = None
    """In its animators' words (`community set … pitch`)."""


def community_weeks(
    session: Session, community_ids: Iterable[int], today: date, minimum: int
) -> dict[int, CommunityWeek]:
    start, end = last_full_week(today)
    communities = {c: session.get(Community, c) for c in set(community_ids)}
    threads = _top_threads(session, [c for c in communities.values() if c is not None], start, end)
    weeks = {}
    for community_id, community in communities.items():
        if community is None or community.is_deleted:
            continue
        stats = community_stats(session, community_id, end, minimum)
        weeks[community_id] = CommunityWeek(
            community_id,
            community.external_id,
            community.name or community.external_id,
            stats,
            threads.get(community_id, ()),
            community.pitch,
        )
    return weeks


def _top_threads(
    session: Session, communities: list[Community], start: date, end: date
) -> dict[int, tuple[Thread, ...]]:
    """Threads with the most reactions in the week, from the raw events still kept."""
    if not communities:
        return {}
    workspaces = {
        w.id: w for w in (session.get(Workspace, c.workspace_id) for c in communities) if w
    }
    by_key = {}
    for community in communities:
        workspace = workspaces.get(community.workspace_id)
        if workspace is not None:
            by_key[(workspace.platform, workspace.external_id, community.external_id)] = (
                community.id
            )
    query = (
        select(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
            func.count(),
        )
        .where(
            INBOX_EVENT.c.kind == "reaction_added",
            INBOX_EVENT.c.thread_key.is_not(None),
            INBOX_EVENT.c.community.in_({key[2] for key in by_key}),
            INBOX_EVENT.c.occurred_at >= datetime.combine(start, time(), UTC),
            INBOX_EVENT.c.occurred_at < datetime.combine(end + timedelta(days=1), time(), UTC),
        )
        .group_by(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
        )
    )
    found: defaultdict[int, list[Thread]] = defaultdict(list)
    for platform, workspace, community, thread, count in session.connection().execute(query):
        community_id = by_key.get((platform, workspace, community))
        if community_id is not None:
            found[community_id].append(Thread(thread, int(count)))
    return {
        community_id: tuple(sorted(threads, key=lambda t: (-t.reactions, t.key))[:TOP_THREADS])
        for community_id, threads in found.items()
    }
