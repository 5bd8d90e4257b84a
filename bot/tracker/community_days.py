"""Posts per community and day: kept current by folding, rebuilt from the rollups at will."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import Connection, delete, func, insert, select

from bot.storage.bulk import insert_many
from bot.storage.tables import COMMUNITY_DAY, DAILY_ACTIVITY
from bot.tracker.rollups import COLUMN_INDEX, RollupDeltas

POSTS, REPLIES = COLUMN_INDEX["posts"], COLUMN_INDEX["replies"]


def rebuild_community_days(connection: Connection, communities: Collection[int] = ()) -> None:
    """Community days again from the rollups, for these communities or all."""
    posted = DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies
    query = (
        select(DAILY_ACTIVITY.c.community_id, DAILY_ACTIVITY.c.day, func.sum(posted))
        .group_by(DAILY_ACTIVITY.c.community_id, DAILY_ACTIVITY.c.day)
        .having(func.sum(posted) > 0)
    )
    wipe = delete(COMMUNITY_DAY)
    if communities:
        query = query.where(DAILY_ACTIVITY.c.community_id.in_(communities))
        wipe = wipe.where(COMMUNITY_DAY.c.community_id.in_(communities))
    connection.execute(wipe)
    connection.execute(insert(COMMUNITY_DAY).from_select(["community_id", "day", "posts"], query))


def add_community_days(connection: Connection, deltas: RollupDeltas) -> None:
    posts: defaultdict[tuple[int, date], int] = defaultdict(int)
    for (day, community, _person), counts in deltas.items():
        if counts[POSTS] + counts[REPLIES] > 0:
            posts[(community, day)] += counts[POSTS] + counts[REPLIES]
    insert_many(
        connection,
        COMMUNITY_DAY,
        ("community_id", "day", "posts"),
        [(community, day, added) for (community, day), added in posts.items()],
        conflict=("community_id", "day"),
        update="posts = community_day.posts + excluded.posts",
    )
