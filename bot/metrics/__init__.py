"""Metrics: summaries over the daily rollups (or, faster, the tracker's traces), each with
an `as_of` date; every window, threshold and rung is defined once in
`bot.metrics.definitions` (also in the README), and every figure shown to more than the
person it describes is suppressed under the minimum group.
"""

from bot.metrics.community import CommunityStats, community_stats, summarise_community
from bot.metrics.definitions import Frames, Suppressed, rhythm
from bot.metrics.ladder import Ladder, PersonStats, org_ladders, person_stats, summarise_ladder
from bot.metrics.top import RankedCommunity, top_communities

__all__ = [
    "CommunityStats",
    "Frames",
    "Ladder",
    "PersonStats",
    "RankedCommunity",
    "Suppressed",
    "community_stats",
    "org_ladders",
    "person_stats",
    "rhythm",
    "summarise_community",
    "summarise_ladder",
    "top_communities",
]
