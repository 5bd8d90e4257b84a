"""Metrics: pure summaries over daily rollups, each with an `as_of` date.

Definitions (also in the README): W is the 28 days ending at `as_of`; weeks are ISO weeks.
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
