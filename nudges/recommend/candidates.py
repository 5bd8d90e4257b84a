"""Which communities may be suggested to a person at all."""

from __future__ import annotations

from nudges.recommend.index import Index


def candidates(index: Index, person: int) -> list[int]:
    """Public, not archived, not dormant, and not one the person is in, left or dismissed."""
    excluded = index.communities_of.get(person, set()) | index.left.get(person, set())
    excluded |= index.dismissed.get(person, set())
    return sorted(
        community
        for community, info in index.communities.items()
        if not info.is_private
        and not info.is_archived
        and community not in excluded
        and not index.rhythm[community].dormant
    )
