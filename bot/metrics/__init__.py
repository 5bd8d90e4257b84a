"""Metrics: pure summaries over daily rollups, each with an `as_of` date.

Definitions (also in the README): W is the 28 days ending at `as_of`; weeks are ISO weeks.
"""

from bot.metrics.community import CommunityStats, community_stats, summarise_community
from bot.metrics.figures import Suppressed, rhythm
from bot.metrics.ladder import Ladder, org_ladders, summarise_ladder
from bot.metrics.person import PersonStats, person_stats
from bot.metrics.top import RankedCommunity, top_communities
from bot.metrics.windows import Frames

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
