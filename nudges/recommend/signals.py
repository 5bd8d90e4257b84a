"""A person's neighbourhood: where walks from them lead, and who they meet.

Two walks start from the person: through the communities they are in (to their members,
then to where those members spend their attention), and through the people they were
active beside on the same community-day (the rollups' proxy for replying and reacting to
each other). Their average, divided by a community's `reach`, is the person's lift: how
much closer the community is to them than to anyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from nudges.recommend.model import Model, attention

MAX_CROWD = 100  # on busier community-days, being active together says nothing about ties


def ties(model: Model, person: int) -> dict[int, float]:
    """People active in the same community on the same day, weighed by how few they were."""
    index = model.index
    found: defaultdict[int, float] = defaultdict(float)
    for cell in index.cells_of.get(person, ()):
        crowd = index.cell_people[cell]
        if 1 < len(crowd) <= MAX_CROWD:
            for other in crowd:
                if other != person:
                    found[other] += 1.0 / (len(crowd) - 1)
    return dict(found)


def affinity(model: Model, person: int, neighbours: Mapping[int, float]) -> dict[int, float]:
    """P(community) after a three-step walk from the person (memberships, then ties)."""
    through_communities = _through_communities(model, person)
    if not neighbours:
        return through_communities
    through_people = _through_people(model, neighbours)
    keys = through_communities.keys() | through_people.keys()
    return {c: (through_communities.get(c, 0.0) + through_people.get(c, 0.0)) / 2 for c in keys}


def lift(model: Model, walked: Mapping[int, float], community: int) -> float:
    """1 + affinity / reach: 1 with no neighbourhood, about 2 for a typical person."""
    reach = model.reach.get(community, 0.0)
    if reach <= 0:
        return 1.0
    return (walked.get(community, 0.0) + reach) / reach


def colleagues_active(model: Model, neighbours: Mapping[int, float], community: int) -> int:
    """How many of the people the person works beside contributed there in the last 28 days."""
    return len(model.index.recent_contributors.get(community, set()) & neighbours.keys())


def members_you_know(model: Model, person: int, community: int) -> int:
    """Members of the community who share a community with the person (crowded ones aside)."""
    index = model.index
    theirs = index.members.get(community, set())
    known: set[int] = set()
    for m in index.communities_of.get(person, ()):
        if m not in model.crowded:
            known |= theirs & index.members.get(m, set())
    known.discard(person)
    return len(known)


def _through_communities(model: Model, person: int) -> dict[int, float]:
    scores: defaultdict[int, float] = defaultdict(float)
    for m, p_m in attention(model.index, person).items():
        for c, p_c in model.walk.get(m, {}).items():
            scores[c] += p_m * p_c
    return dict(scores)


def _through_people(model: Model, neighbours: Mapping[int, float]) -> dict[int, float]:
    total = sum(neighbours.values())
    scores: defaultdict[int, float] = defaultdict(float)
    for other, weight in neighbours.items():
        for c, p_c in attention(model.index, other).items():
            scores[c] += weight / total * p_c
    return dict(scores)
