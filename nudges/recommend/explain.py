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
    personal: bool
    """The person's lift is at least the community's pull: of the score's two factors,
    closeness weighed more."""

    @classmethod
    def of(
        cls,
        community: int,
        lift: float,
        boost: float,
        colleagues_active: int,
        members_you_know: int,
        social_proof_min: int,
        pull: float,
    ) -> Evidence:
        closeness = lift - 1.0
        return cls(
            community,
            boost,
            round(closeness, 1) if closeness >= CLOSER else None,
            colleagues_active if colleagues_active >= social_proof_min else 0,
            members_you_know if members_you_know >= social_proof_min else 0,
            lift >= pull,
        )


def explain(
    model: Model,
    evidence: Evidence,
    social_proof_min: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> tuple[Reason, ...]:
    """What drove the score comes first (the sentence gives the first two): a campaign
    boost; then, of the score's two factors, the larger: the person's closeness (the
    people behind it, how much closer) or the community's pull (its members, and who
    just joined).
    Member counts and activity figures (momentum, rhythm) are given only for communities
    of at least `min_group_size` members, as in every stats view."""
    index = model.index
    community, boost = evidence.community, evidence.boost
    rhythm = index.rhythm[community]
    social: list[Reason] = []
    if evidence.colleagues_active >= social_proof_min:
        social.append(Reason("colleagues_active", count=evidence.colleagues_active))
    if evidence.members_you_know >= social_proof_min:
        social.append(Reason("members_you_know", count=evidence.members_you_know))
    members = len(index.members.get(community, ()))
    small = members < min_group_size
    pull = [Reason("members", phrase="popular.small")] if small else []
    if not small:
        pull.append(Reason("members", count=members, phrase="popular.members"))
    joined = index.recent_joins.get(community, 0)
    if joined >= social_proof_min:
        pull.append(Reason("joining", count=joined))
    reasons = [Reason("campaign", value=round(boost, 2))] if boost > 1.0 else []
    similar = [Reason("similar", value=evidence.similar)] if evidence.similar else []
    if evidence.personal:
        reasons += [*social, *similar, *pull]
    else:
        reasons += [*pull, *social, *similar]
    if small:
        return tuple(reasons)
    if rhythm.recent_messages > 0 and rhythm.momentum >= GROWING:
        extra = (("recent", rhythm.recent_messages), ("previous", rhythm.previous_messages))
        reasons.append(Reason("growing", value=round(rhythm.momentum, 2), extra=extra))
    weeks = (("active_weeks", rhythm.active_weeks), ("observed_weeks", rhythm.observed_weeks))
    reasons.append(Reason("rhythm", value=rhythm.label, extra=weeks, phrase=rhythm.label))
    return tuple(reasons)
