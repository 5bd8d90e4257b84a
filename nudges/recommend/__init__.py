"""The recommender: pure, deterministic ranking of communities to suggest, with reasons."""

from nudges.recommend.explain import Reason
from nudges.recommend.rank import Suggestion, recommend
from nudges.recommend.snapshot import (
    CommunityInfo,
    DayActivity,
    DismissalInfo,
    MembershipInfo,
    Snapshot,
)

__all__ = [
    "CommunityInfo",
    "DayActivity",
    "DismissalInfo",
    "MembershipInfo",
    "Reason",
    "Snapshot",
    "Suggestion",
    "recommend",
]
