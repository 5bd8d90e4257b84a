"""The reasons behind one suggestion, strongest first. People appear as counts only."""

from __future__ import annotations

from dataclasses import dataclass

from nudges.recommend.model import Model
from nudges.recommend.reasons import Reason

CLOSER = 2.0
"""Walks from the person reach the community at least twice as often as from anyone."""
GROWING = 1.5
DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the reasons of one suggestion depend on, and nothing more: equal evidence gives
    equal reasons, so that planning explains each distinct case once."""

    community: int
    boost: float
    similar: float | None
    """How much closer than anyone, rounded, when it is at least `CLOSER`."""
    colleagues_active: int
    """People the person is active beside who posted there in the last 28 days (0 below
    `social_proof_min`)."""
    members_you_know: int
    """Members who share a community with the person, crowded communities aside (0 below
    `social_proof_min`)."""

    @classmethod
    def of(
        cls,
        community: int,
        lift: float,
        boost: float,
        colleagues_active: int,
        members_you_know: int,
        social_proof_min: int,
    ) -> Evidence:
        closeness = lift - 1.0
        return cls(
            community,
            boost,
            round(closeness, 1) if closeness >= CLOSER else None,
            colleagues_active if colleagues_active >= social_proof_min else 0,
            members_you_know if members_you_know >= social_proof_min else 0,
        )


def explain(
    model: Model,
    evidence: Evidence,
    social_proof_min: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> tuple[Reason, ...]:
    """Activity figures (momentum, rhythm) are given only for communities of at least
    `min_group_size` members, as in every stats view: a small group's rhythm is private."""
    index = model.index
    community, boost = evidence.community, evidence.boost
    rhythm = index.rhythm[community]
    reasons: list[Reason] = []
    if evidence.colleagues_active >= social_proof_min:
        reasons.append(Reason("colleagues_active", count=evidence.colleagues_active))
    if evidence.members_you_know >= social_proof_min:
        reasons.append(Reason("members_you_know", count=evidence.members_you_know))
    if boost > 1.0:
        reasons.append(Reason("campaign", value=round(boost, 2)))
    if evidence.similar is not None:
        reasons.append(Reason("similar", value=evidence.similar))
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
