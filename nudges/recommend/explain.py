"""The reasons behind one suggestion, strongest first. People appear as counts only."""

from __future__ import annotations

from collections.abc import Mapping

from nudges.recommend.model import Model
from nudges.recommend.reasons import Reason
from nudges.recommend.signals import colleagues_active, members_you_know

CLOSER = 2.0
"""Walks from the person reach the community at least twice as often as from anyone."""
GROWING = 1.5
DEFAULT_MIN_GROUP_SIZE = 5


def explain(
    model: Model,
    person: int,
    community: int,
    lifted: float,
    boost: float,
    neighbours: Mapping[int, float],
    social_proof_min: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> tuple[Reason, ...]:
    """Activity figures (momentum, rhythm) are given only for communities of at least
    `min_group_size` members, as in every stats view: a small group's rhythm is private."""
    index = model.index
    rhythm = index.rhythm[community]
    reasons: list[Reason] = []
    active = colleagues_active(model, neighbours, community)
    if active >= social_proof_min:
        reasons.append(Reason("colleagues_active", count=active))
    known = members_you_know(model, person, community)
    if known >= social_proof_min:
        reasons.append(Reason("members_you_know", count=known))
    if boost > 1.0:
        reasons.append(Reason("campaign", value=round(boost, 2)))
    closeness = lifted - 1.0
    if closeness >= CLOSER:
        reasons.append(Reason("similar", value=round(closeness, 1)))
    joined = index.recent_joins.get(community, 0)
    if joined >= social_proof_min:
        reasons.append(Reason("joining", count=joined))
    if len(index.members.get(community, ())) < min_group_size:
        return tuple(reasons)
    if rhythm.recent_messages > 0 and rhythm.momentum >= GROWING:
        extra = (("recent", rhythm.recent_messages), ("previous", rhythm.previous_messages))
        reasons.append(Reason("growing", value=round(rhythm.momentum, 2), extra=extra))
    weeks = (("active_weeks", rhythm.active_weeks), ("observed_weeks", rhythm.observed_weeks))
    reasons.append(Reason("rhythm", value=rhythm.label, extra=weeks, phrase=rhythm.label))
    return tuple(reasons)
